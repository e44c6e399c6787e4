using Repro.Training;

namespace Repro.Tests.Training;

/// <summary>Simulates a kill: throws once the given epoch has been reported (its checkpoint is not yet written).</summary>
internal sealed class KillAfter(int epoch) : IProgressSink
{
    public void Step(int e, int epochs, int step, int steps, double loss, double accuracy, double imagesPerSecond) { }

    public void EpochDone(EpochRecord record, int epochs)
    {
        if (record.Epoch == epoch) throw new OperationCanceledException($"killed after epoch {epoch}");
    }
}
