using static TorchSharp.torch;

namespace Repro.Model;

/// <summary>
/// One forward pass: the logits and the raw penultimate feature z (never normalized, whatever the mode), so a
/// score is computed from this once and never calls the network again.
/// </summary>
public sealed record ModelOutput(Tensor Logits, Tensor Features) : IDisposable
{
    public void Dispose()
    {
        Logits.Dispose();
        Features.Dispose();
    }
}
