namespace Repro.Platform;

/// <summary>
/// PyTorch's <c>torch.backends.cudnn.benchmark</c>, which TorchSharp 0.107 does not wrap: with it on, cuDNN times its
/// convolution algorithms once per input shape and keeps the fastest, instead of taking its heuristic's first choice.
/// The ATen context's setter and getter (<see cref="AtenContext"/>). On a CPU build the flag is an unused field of the
/// global Context, so setting it is harmless. Every entry point fails soft (false or null, with a message) so that a
/// libtorch without the symbols only loses the speed-up.
/// </summary>
public static unsafe class CudnnBenchmark
{
    public const string SetterSymbol = "_ZN2at7Context17setBenchmarkCuDNNEb";
    public const string GetterSymbol = "_ZNK2at7Context14benchmarkCuDNNEv";

    /// <summary>Turns cudnn.benchmark on; true when the flag reads back on. Never throws.</summary>
    public static bool TryEnable(out string message) => TrySet(true, out message);

    /// <summary>Sets cudnn.benchmark; true when the flag reads back as <paramref name="enabled"/>. Never throws.</summary>
    public static bool TrySet(bool enabled, out string message)
    {
        try
        {
            var (context, set, get) = (AtenContext.Context(out message), AtenContext.Export(SetterSymbol, out var setMessage),
                AtenContext.Export(GetterSymbol, out var getMessage));
            if (context == 0 || set == 0 || get == 0)
            {
                message = $"cudnn.benchmark not reachable: {(context == 0 ? message : set == 0 ? setMessage : getMessage)}";
                return false;
            }
            // C++ bool is one byte (0 or 1) in the Itanium ABI; `byte` avoids the runtime's 4-byte Win32 BOOL marshalling.
            ((delegate* unmanaged<nint, byte, void>)set)(context, enabled ? (byte)1 : (byte)0);
            var now = ((delegate* unmanaged<nint, byte>)get)(context) != 0;
            message = now == enabled
                ? $"cudnn.benchmark {(enabled ? "on" : "off")} ({message})"
                : $"cudnn.benchmark set to {enabled} through {SetterSymbol} but {GetterSymbol} reads {now}";
            return now == enabled;
        }
        catch (Exception e)
        {
            message = $"cudnn.benchmark not reachable: {e.GetType().Name}: {e.Message}";
            return false;
        }
    }

    /// <summary>The current cudnn.benchmark flag; null when libtorch's symbols are not reachable.</summary>
    public static bool? IsEnabled()
    {
        try
        {
            var (context, get) = (AtenContext.Context(out _), AtenContext.Export(GetterSymbol, out _));
            return context == 0 || get == 0 ? null : ((delegate* unmanaged<nint, byte>)get)(context) != 0;
        }
        catch (Exception)
        {
            return null;
        }
    }
}
