namespace Repro.Training;

/// <summary>Where the training loop reports progress; the CLI draws a bar, tests pass <see cref="Silent"/>.</summary>
public interface IProgressSink
{
    void Step(int epoch, int epochs, int step, int steps, double loss, double accuracy, double imagesPerSecond);
    void EpochDone(EpochRecord record, int epochs);
    /// <summary>Something the run works around rather than stops for (a cuDNN setting it could not make); a sink with
    /// nowhere to show it may drop it.</summary>
    void Warning(string message) { }

    public static readonly IProgressSink Silent = new SilentSink();
    private sealed class SilentSink : IProgressSink
    {
        public void Step(int epoch, int epochs, int step, int steps, double loss, double accuracy, double imagesPerSecond) { }
        public void EpochDone(EpochRecord record, int epochs) { }
    }
}
