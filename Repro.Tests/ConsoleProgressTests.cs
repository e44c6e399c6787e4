using Repro.Cli;
using Repro.Training;
using Xunit;

namespace Repro.Tests;

/// <summary>The progress bar in both of its modes: redrawn in place on a terminal, quarter-epoch lines in a log.</summary>
public class ConsoleProgressTests
{
    private static string Drive(bool interactive)
    {
        var output = new StringWriter();
        var progress = new ConsoleProgress("[l2 s0]", output, interactive);
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            for (int step = 1; step <= 8; step++) progress.Step(epoch, 2, step, 8, 1.0 / step, 0.5, 700);
            progress.EpochDone(new EpochRecord(epoch, 0.1, 0.5, 0.8, 1.5, 700), 2);
        }
        return output.ToString();
    }

    [Fact]
    public void Terminal_mode_redraws_one_line_per_epoch_with_loss_accuracy_speed_and_eta()
    {
        var text = Drive(interactive: true);
        Assert.Contains("\r[l2 s0] epoch 1/2 [", text);
        Assert.Contains("loss 1.000 acc 50.0 %   700 img/s ETA ", text);
        Assert.Contains("[l2 s0] epoch 2/2 done: loss 0.500, train acc 80.0 %, lr 0.1, 700 img/s, 1.5 s", text);
        Assert.Equal(2, text.Split('\n').Length - 1);   // only the two epoch summaries end lines
    }

    [Fact]
    public void Log_mode_prints_quarter_epochs_and_summaries_without_control_codes()
    {
        var lines = Drive(interactive: false).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2 * (3 + 1), lines.Length);   // 25%, 50%, 75% and the summary, per epoch
        Assert.DoesNotContain(lines, l => l.Contains('\r') || l.Contains('\u001b'));
        Assert.Contains(lines, l => l.StartsWith("[l2 s0] epoch 1/2 [##########..........] 50 %"));
    }
}
