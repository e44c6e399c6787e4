using System.Diagnostics;
using Repro.Training;

namespace Repro.Cli;

/// <summary>
/// A per-epoch progress bar on stderr: loss, accuracy, images/s and ETA. Redrawn in place on a terminal; on a pipe
/// or CI log it prints a line every quarter epoch instead, so logs stay short.
/// </summary>
public sealed class ConsoleProgress(string label, TextWriter? output = null, bool? interactive = null) : IProgressSink
{
    private readonly TextWriter output = output ?? Console.Error;
    private readonly bool interactive = interactive ?? !Console.IsErrorRedirected;
    private readonly Stopwatch epochClock = new();
    private double lastDrawSeconds = double.NegativeInfinity;
    private int lastQuarter;

    public void Step(int epoch, int epochs, int step, int steps, double loss, double accuracy, double imagesPerSecond)
    {
        if (step == 1) { epochClock.Restart(); lastQuarter = 0; lastDrawSeconds = double.NegativeInfinity; }
        double fraction = (double)step / steps;
        var eta = TimeSpan.FromSeconds(epochClock.Elapsed.TotalSeconds / step * (steps - step));
        string text = $"{label} epoch {epoch}/{epochs} {Bar(fraction)} {fraction,4:P0} loss {loss:F3} " +
                      $"acc {accuracy:P1} {imagesPerSecond,5:F0} img/s ETA {eta:m\\:ss}";
        if (interactive)
        {
            // Redraw at most 5 times a second; the first step of an epoch always draws.
            double now = epochClock.Elapsed.TotalSeconds;
            if (now - lastDrawSeconds < 0.2) return;
            lastDrawSeconds = now;
            output.Write("\r" + text + "\u001b[K");
        }
        else if ((int)(fraction * 4) is var quarter && quarter > lastQuarter && quarter < 4)
        {
            lastQuarter = quarter;
            output.WriteLine(text);
        }
    }

    public void EpochDone(EpochRecord r, int epochs)
    {
        if (interactive) output.Write("\r\u001b[K");
        output.WriteLine($"{label} epoch {r.Epoch}/{epochs} done: loss {r.Loss:F3}, train acc {r.Accuracy:P1}, " +
                                $"lr {r.LearningRate:G3}, {r.ImagesPerSecond:F0} img/s, {r.Seconds:F1} s");
    }

    public void Warning(string message) => output.WriteLine($"warning: {message}");

    private static string Bar(double fraction)
    {
        const int width = 20;
        int filled = (int)Math.Round(fraction * width);
        return "[" + new string('#', filled) + new string('.', width - filled) + "]";
    }
}
