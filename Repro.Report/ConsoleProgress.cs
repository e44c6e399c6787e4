using System.Diagnostics;
using Repro.Training;

namespace Repro.Cli;

/// <summary>
/// A per-epoch progress bar on stderr: loss, accuracy, images/s and ETA. Redrawn in place on a terminal; on a pipe
/// or CI log it prints a line every quarter epoch instead, so logs stay short.
/// </summary>
public sealed class ConsoleProgress(string label) : IProgressSink
{
    private readonly bool interactive = !Console.IsErrorRedirected;
    private readonly Stopwatch epochClock = new();
    private TimeSpan lastDraw = TimeSpan.MinValue;
    private int lastQuarter;

    public void Step(int epoch, int epochs, int step, int steps, double loss, double accuracy, double imagesPerSecond)
    {
        if (step == 1) { epochClock.Restart(); lastQuarter = 0; lastDraw = TimeSpan.MinValue; }
        double fraction = (double)step / steps;
        var eta = TimeSpan.FromSeconds(epochClock.Elapsed.TotalSeconds / step * (steps - step));
        string text = $"{label} epoch {epoch}/{epochs} {Bar(fraction)} {fraction,4:P0} loss {loss:F3} " +
                      $"acc {accuracy:P1} {imagesPerSecond,5:F0} img/s ETA {eta:m\\:ss}";
        if (interactive)
        {
            if (epochClock.Elapsed - lastDraw < TimeSpan.FromMilliseconds(200)) return;
            lastDraw = epochClock.Elapsed;
            Console.Error.Write("\r" + text + "\u001b[K");
        }
        else if ((int)(fraction * 4) is var quarter && quarter > lastQuarter && quarter < 4)
        {
            lastQuarter = quarter;
            Console.Error.WriteLine(text);
        }
    }

    public void EpochDone(EpochRecord r, int epochs)
    {
        if (interactive) Console.Error.Write("\r\u001b[K");
        Console.Error.WriteLine($"{label} epoch {r.Epoch}/{epochs} done: loss {r.Loss:F3}, train acc {r.Accuracy:P1}, " +
                                $"lr {r.LearningRate:G3}, {r.ImagesPerSecond:F0} img/s, {r.Seconds:F1} s");
    }

    private static string Bar(double fraction)
    {
        const int width = 20;
        int filled = (int)Math.Round(fraction * width);
        return "[" + new string('#', filled) + new string('.', width - filled) + "]";
    }
}
