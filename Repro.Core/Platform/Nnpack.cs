namespace Repro.Platform;

/// <summary>
/// NNPACK is a third CPU convolution backend beside oneDNN and ATen's own: ATen routes a float convolution through it
/// (batch ≥ 16, kernel ≤ 16, no dilation) on a CPU where NNPACK initializes, so the same layer could be computed by
/// NNPACK's algorithms on one machine and oneDNN's on another — and where NNPACK does not initialize (the AVX-512 EPYCs
/// here: "Unsupported hardware"), ATen asks again at each such convolution and libtorch prints a warning each time
/// (44,540 lines in a 40-second run of a spectrally normalized row). Switched off for the whole process, as
/// <c>torch.backends.nnpack.set_flags(False)</c> does: ATen checks this switch before it asks NNPACK anything, so no
/// convolution is ever routed there and nothing is printed. There is no getter to read back (ATen inlines it); the
/// tests show no NNPACK line in a run that printed hundreds before.
/// </summary>
public static unsafe class Nnpack
{
    public const string SetterSymbol = "_ZN2at7Context20setUserEnabledNNPACKEb";

    private static readonly Lazy<string?> Disabled = new(TryDisable);

    /// <summary>Switches NNPACK off once per process; a libtorch without the switch is an error (the backend would not be pinned).</summary>
    public static void Disable()
    {
        if (Disabled.Value is { } problem)
            throw new ReproException($"cannot switch NNPACK off, so CPU convolutions could take NNPACK's kernels on some CPUs: {problem}");
    }

    private static string? TryDisable()
    {
        var context = AtenContext.Context(out var message);
        if (context == 0) return message;
        var set = AtenContext.Export(SetterSymbol, out message);
        if (set == 0) return message;
        ((delegate* unmanaged<nint, byte, void>)set)(context, 0);
        return null;
    }
}
