using Repro.Cli.Bench;
using Repro.Data;
using Repro.Experiments;
using Xunit;

namespace Repro.Tests.Cli;

/// <summary>`repro bench --project` against hand arithmetic on Table 1's definition.</summary>
public class ProjectionTests
{
    [Fact]
    public void Each_row_takes_the_best_rate_of_its_network_at_its_batch_size()
    {
        var table1 = ExperimentDefinition.Load(Path.Combine(DataPaths.RepositoryRoot()!, "experiments", "table1.json"));
        StepTiming Timing(string row, int batch, double rate, bool data, int stack = 1, Repro.Model.ComputePrecision precision = Repro.Model.ComputePrecision.Fp32) =>
            new(row, batch, 10, rate, 1, "GPU", precision, WithData: data, Stack: stack);
        var timings = new[]
        {
            Timing("l2-60", 1024, 9_000, data: true),
            Timing("l2-60", 1024, 10_000, data: true, stack: 4),   // the best with data: taken
            Timing("l2-60", 1024, 50_000, data: false),            // synthetic batches: ignored, there are timings with data
            Timing("l2-60", 1024, 40_000, data: true, precision: Repro.Model.ComputePrecision.Bf16),   // bf16: ignored, the rows train in fp32
            Timing("logitnorm-60", 128, 4_000, data: true),
            Timing("logitnorm-60", 1024, 80_000, data: true),      // another batch size than the row's: ignored
        };

        var text = Projection.Format(table1, timings);

        // L2 60 / L2 350 / No L2 60: the SN network at 1024, 45,000 images (10 % held out), 15 seeds, × 1.05.
        //   60 · 15 · 45,000 / 10,000 / 3600 · 1.05 = 1.18125 h; 350 epochs: 6.890625 h.
        // LogitNorm 60: the plain network at 128, all 50,000 images: 60 · 15 · 50,000 / 4,000 / 3600 · 1.05 = 3.28125 h.
        Assert.Contains("| l2-60 | fp32 | 60 × 15 | 1024 | l2-60, fp32 ×4 + data | 10000 | 1.18 |", text);
        Assert.Contains("| l2-350 | fp32 | 350 × 15 | 1024 | l2-60, fp32 ×4 + data | 10000 | 6.89 |", text);
        Assert.Contains("| no-l2-60 | fp32 | 60 × 15 | 1024 | l2-60, fp32 ×4 + data | 10000 | 1.18 |", text);
        Assert.Contains("| logitnorm-60 | fp32 | 60 × 15 | 128 | logitnorm-60, fp32 + data | 4000 | 3.28 |", text);
        // LogitNorm 60+ is the SN network at batch 128, which was not timed.
        Assert.Contains("| logitnorm-60-plus | fp32 | 60 × 15 | 128 | not timed | — | — |", text);
        Assert.Contains("**12.5 h**", text);   // 2 · 1.18125 + 6.890625 + 3.28125
        Assert.Contains("left out", text);

        // A row that trains in bf16 is projected from the bf16 rate, and says so.
        var bf16 = table1 with { Common = (System.Text.Json.Nodes.JsonObject)table1.Common.DeepClone() };
        bf16.Common["precision"] = "bf16";
        Assert.Contains("| l2-60 | bf16 | 60 × 15 | 1024 | l2-60, bf16 + data | 40000 | 0.30 |", Projection.Format(bf16, timings));
    }
}
