using System.Text.Json;
using Repro.Cli.Bench;
using Repro.Data;
using Repro.Experiments;
using Repro.Tests.Faults;
using Repro.Tests.Interop;
using Xunit;

namespace Repro.Tests.Workflows;

/// <summary>
/// scripts/peer/train_step.py, the PyTorch peer a GPU lease times ours against (issue 32), dry-run on the CPU with
/// Debian's PyTorch so it cannot rot between leases: N copies at once report one aggregate rate over their common
/// window, warm-up (where torch.compile compiles) is timed apart, a mode it cannot run is refused before anything is
/// timed; and each peer system gets its own Table 1 projection at its own precision.
/// </summary>
public class PytorchPeerDryRun
{
    private static string Script => Path.Combine(DataPaths.RepositoryRoot()!, "scripts", "peer", "train_step.py");

    [Fact]
    public void Two_copies_at_once_report_one_rate_over_their_common_window()
    {
        using var temp = new TempDir();
        var json = Path.Combine(temp.Path, "peer.json");
        Python.Run(Python.With("torch"), Script, "--device", "cpu", "--threads", "1", "--rows", "l2-60", "--batch", "4", "--modes", "fp32",
            "--width", "8", "--steps", "2", "--warmup", "1", "--processes", "1,2", "--json", json);
        var timings = JsonDocument.Parse(File.ReadAllText(json)).RootElement.EnumerateArray().ToList();
        Assert.Equal(["pytorch-fp32", "pytorch-fp32 ×2"], timings.Select(t => t.GetProperty("system").GetString()));
        var pair = timings[1];
        Assert.Equal(2, pair.GetProperty("processes").GetInt32());
        Assert.Equal("fp32", pair.GetProperty("precision").GetString());
        Assert.True(pair.GetProperty("warmupSeconds").GetDouble() > 0);
        var each = pair.GetProperty("perProcessImagesPerSecond").EnumerateArray().Select(x => x.GetDouble()).ToList();
        Assert.Equal(2, each.Count);
        // Over the union of the two windows the aggregate is at most the sum of each copy's own rate, and more than either.
        double total = pair.GetProperty("imagesPerSecond").GetDouble();
        Assert.InRange(total, each.Max(), each.Sum() * 1.0001);
        double window = pair.GetProperty("timedTo").GetDouble() - pair.GetProperty("timedFrom").GetDouble();
        Assert.Equal(2 * 2 * 4 / window, total, 6);
        // The peer's JSON is read by `repro bench --peer`, precision included.
        var peers = RatioTable.Load(json);
        Assert.All(peers, p => Assert.Equal(Repro.Model.ComputePrecision.Fp32, p.ComputePrecision));
    }

    [Fact]
    public void A_mode_it_cannot_run_is_refused_by_name_before_anything_is_timed()
    {
        var python = Python.With("torch");
        var (code, _, stderr) = Python.Execute(python, Script, "--device", "cpu", "--rows", "l2-60", "--modes", "fp32,bf16+fused");
        Assert.NotEqual(0, code);
        Assert.Contains("'bf16+fused' is not PRECISION[+COMPILE]", stderr);
        var (compiled, _, compileErr) = Python.Execute(python, Script, "--device", "cpu", "--rows", "l2-60", "--modes", "fp32+max-autotune",
            "--width", "8", "--batch", "4", "--steps", "1", "--warmup", "1");
        // Debian's 1.13 has no torch.compile and says so; a PyTorch 2 runs the mode.
        if (compiled != 0) Assert.Contains("torch.compile needs PyTorch 2.0 or later", compileErr);
        var (unknown, _, unknownErr) = Python.Execute(python, Script, "--device", "cpu", "--rows", "l2-6O", "--modes", "fp32");
        Assert.NotEqual(0, unknown);
        Assert.Contains("no row 'l2-6O'", unknownErr);
    }

    [Fact]
    public void Each_peer_system_is_projected_at_its_own_precision()
    {
        var table1 = ExperimentDefinition.Load(ExperimentDefinition.PathOf(DataPaths.RepositoryRoot()!, "table1"));
        // l2-60 trains in fp32 at batch 1024 (experiments/table1.json): a bf16 rate must not project it.
        var l2 = table1.ConfigFor(table1.Row("l2-60"));
        PeerTiming fp32 = new("pytorch-fp32", "l2-60", l2.BatchSize, 10_000, "NVIDIA H200", "fp32");
        PeerTiming bf16 = new("pytorch-bf16+compile", "l2-60", l2.BatchSize, 50_000, "NVIDIA H200", "bf16");
        var fp32Table = Projection.Format(table1, [fp32.AsStepTiming()]);
        var bf16Table = Projection.Format(table1, [bf16.AsStepTiming()]);
        var l2Line = (string table) => table.Split('\n').Single(l => l.StartsWith("| l2-60 |"));
        Assert.Contains("| 10000 |", l2Line(fp32Table));
        Assert.Contains("not timed", l2Line(bf16Table));
        // Files from before the "precision" field: the system's name says it ("pytorch-compile" was bf16).
        Assert.Equal(Repro.Model.ComputePrecision.Bf16, new PeerTiming("pytorch-compile", "l2-60", 128, 1, "x").ComputePrecision);
        Assert.Equal(Repro.Model.ComputePrecision.Fp32, new PeerTiming("pytorch-fp32 ×4", "l2-60", 128, 1, "x").ComputePrecision);
    }
}
