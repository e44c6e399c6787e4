using Repro.Training;

namespace Repro.Experiments;

/// <summary>
/// How many seeds of a row train as one stacked model: a fixed K (`--stack K`, or an int anywhere one is expected) or
/// a rule per row, as the device default is (Devices.DefaultStack: stacks pay off at small batches only).
/// </summary>
public sealed record StackRule(Func<RunConfig, int> SizeOf)
{
    public static implicit operator StackRule(int size) => new(_ => size);

    /// <summary>What a run does when it is not told: <see cref="Devices.DefaultStack"/> for each row's batch size on this device.</summary>
    public static StackRule Default(TorchSharp.torch.Device device) => new(row => Devices.DefaultStack(device, row.BatchSize));

    public int For(RunConfig row)
    {
        int k = SizeOf(row);
        return k >= 1 ? k : throw new ConfigException("stack", $"must be ≥ 1, got {k} for row '{row.Row}'");
    }
}
