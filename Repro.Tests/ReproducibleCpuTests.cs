using System.Text.RegularExpressions;
using Repro.Platform;
using Repro.Runs;
using Repro.Tests.Faults;
using Repro.Tests.Training;
using Xunit;
using static TorchSharp.torch;

namespace Repro.Tests;

/// <summary>
/// The reproducible CPU mode reaches each math library: ATen read back in process, oneDNN and MKL through their own
/// verbose logs in a child `repro`. The tiny training snapshot (MetricSnapshots) is the end-to-end check: its values
/// came out identical on an AVX2 and an AVX-512 EPYC.
/// </summary>
[Collection(TorchCollection.Name)]
public class ReproducibleCpuTests
{
    [Fact]
    public void The_test_host_runs_ATen_on_the_AVX2_baseline_at_the_fixed_thread_count()
    {
        Assert.True(ReproducibleCpu.Mode == CpuMode.Reproducible,
            $"the tests need the reproducible CPU mode (their training snapshots are the baseline's numbers); unset {ReproducibleCpu.ModeVariable}");
        Assert.True(ReproducibleCpu.HasBaseline, "this CPU lacks AVX2/FMA: the baseline cannot run here");
        ReproducibleCpu.EnsureApplied();
        Assert.Equal("AVX2", ReproducibleCpu.AtenCapability());
        Assert.Equal(ReproducibleCpu.Threads, get_num_threads());
        if (Environment.GetEnvironmentVariable(ReproducibleCpu.ThreadsVariable) is null && Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is "2" or null)
            Assert.Equal(2, get_num_threads());

        var versions = Provenance.Versions();
        Assert.Equal("AVX2", versions["atenCpuCapability"]);
        Assert.Equal(get_num_threads().ToString(), versions["intraOpThreads"]);
        Assert.Equal("reproducible (ATEN_CPU_CAPABILITY=avx2, ONEDNN_MAX_CPU_ISA=AVX2, MKL_CBWR=AVX2,STRICT)", versions["cpuMode"]);
        Assert.EndsWith(", " + ReproducibleCpu.VectorIsa(), versions["cpu"]);
    }

    /// <summary>
    /// The pinned oneDNN's wrong 3×3 convolutions, against an fp64 reference (which oneDNN does not compute): outputs for
    /// 12 input channels, input gradients for 4 output channels — and the width guard that keeps training off them. If
    /// a libtorch update fixes the kernels, the first assertions fail and the guard can go.
    /// </summary>
    [Fact]
    public void Widths_the_pinned_convolutions_get_wrong_are_refused()
    {
        ReproducibleCpu.EnsureApplied();
        static (double Output, double InputGradient) Errors(int inChannels, int outChannels)
        {
            using var scope = NewDisposeScope();
            manual_seed(inChannels * 100 + outChannels);
            var x = randn(4, inChannels, 4, 4, requires_grad: true);
            var w = randn(outChannels, inChannels, 3, 3);
            var x64 = x.detach().to_type(ScalarType.Float64).requires_grad_();
            var y = nn.functional.conv2d(x, w, padding: [1, 1]);
            var y64 = nn.functional.conv2d(x64, w.to_type(ScalarType.Float64), padding: [1, 1]);
            y.sum().backward();
            y64.sum().backward();
            return ((y.to_type(ScalarType.Float64) - y64).abs().max().item<double>(),
                (x.grad!.to_type(ScalarType.Float64) - x64.grad!).abs().max().item<double>());
        }
        Assert.True(Errors(8, 8) is { Output: < 1e-3, InputGradient: < 1e-3 }, "8 → 8 channels should be exact");
        Assert.True(Errors(16, 16) is { Output: < 1e-3, InputGradient: < 1e-3 }, "16 → 16 channels should be exact");
        Assert.False(Errors(12, 16).Output < 1e-3, "oneDNN now computes 12 input channels right; the width guard can go");
        Assert.False(Errors(8, 4).InputGradient < 1e-3, "oneDNN now computes input gradients for 4 output channels right; the width guard can go");

        var e = Assert.Throws<ConfigException>(() => Repro.Training.Trainer.Train(TinyRun.Config() with { Width = 4, TrainSubset = 64 },
            TinyRun.Data.Get("fashion-mnist", Repro.Data.Split.Train), CPU));
        Assert.Contains("width", e.Message);
        Assert.Contains("multiple of 8", e.Message);
    }

    /// <summary>The width rule for each mode: pinned AVX2 needs a multiple of 8, native AVX-512 at least 16 channels.</summary>
    [Theory]
    [InlineData(8, CpuMode.Reproducible, "AVX-512", null)]
    [InlineData(64, CpuMode.Reproducible, "AVX2", null)]
    [InlineData(12, CpuMode.Reproducible, "AVX-512", "multiple of 8")]
    [InlineData(4, CpuMode.Reproducible, "AVX2", "multiple of 8")]
    [InlineData(8, CpuMode.Native, "AVX-512", "at least 16")]
    [InlineData(12, CpuMode.Native, "AVX-512", "at least 16")]
    [InlineData(16, CpuMode.Native, "AVX-512", null)]
    [InlineData(8, CpuMode.Native, "AVX2", null)]
    public void Widths_are_refused_where_the_modes_kernels_compute_them_wrong(int width, CpuMode mode, string isa, string? expected)
    {
        var problem = ReproducibleCpu.WidthProblem(width, mode, isa);
        if (expected is null) Assert.Null(problem);
        else Assert.Contains(expected, problem);
    }

    [Fact]
    public void OneDNN_and_MKL_run_pinned_by_default_and_as_the_CPU_chooses_in_native_mode()
    {
        var pinned = VerboseStep(new() { ["REPRO_THREADS"] = "1" });
        Assert.Matches(new Regex(@"^onednn_verbose,.*,cpu,isa:Intel AVX2\r?$", RegexOptions.Multiline), pinned);
        var cnr = Regex.Matches(pinned, @"CNR:(\S+)").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(cnr);
        // MKL names the branch AVX2 on Intel CPUs and AUTO on AMD ones (it keeps AMD on AVX2 code); OFF is unpinned.
        Assert.All(cnr, c => Assert.Matches("^(AVX2|AUTO),STRICT$", c));
        Assert.Contains("AVX2 kernels pinned", pinned);

        var native = VerboseStep(new() { ["REPRO_THREADS"] = "1", [ReproducibleCpu.ModeVariable] = "native" });
        Assert.All(Regex.Matches(native, @"CNR:(\S+)"), m => Assert.Equal("OFF", m.Groups[1].Value));
        Assert.Contains("native kernels", native);
        if (ReproducibleCpu.VectorIsa() == "AVX-512")
            Assert.Matches(new Regex(@"^onednn_verbose,.*,cpu,isa:Intel AVX-512.*$", RegexOptions.Multiline), native);
        // NNPACK is off in both modes (Platform/Nnpack.cs): no convolution asks it, so nothing is printed about it.
        Assert.DoesNotContain("NNPACK", pinned);
        Assert.DoesNotContain("NNPACK", native);
    }

    /// <summary>
    /// A spectrally normalized row's power iteration runs batch-1 convolutions that oneDNN declines; ATen then asked
    /// NNPACK, which cannot initialize on the AVX-512 EPYCs here, and libtorch printed "Could not initialize NNPACK!"
    /// at each — 204 lines for this tiny run, 44,540 in a 40-second one. With NNPACK switched off it asks nothing.
    /// </summary>
    [Fact]
    public void A_spectrally_normalized_run_never_asks_NNPACK()
    {
        using var temp = new TempDir();
        using var repro = ReproProcess.Start(["run", "--definition", Path.Combine(Repro.Data.DataPaths.RepositoryRoot()!, "experiments", "fmnist.json"),
            "--rows", "l2", "--seeds", "0", "--device", "cpu", "--out", temp.Path, "--set", "width=8", "--set", "trainSubset=256",
            "--set", "testSubset=200", "--set", "epochs=1", "--set", "batchSize=64"]);
        Assert.True(repro.Wait(TimeSpan.FromMinutes(2)) == 0, repro.Output);
        Assert.Contains("\"spectralNorm\": true", File.ReadAllText(Path.Combine(temp.Path, "l2", "seed-0", UnitFiles.Config)));
        Assert.DoesNotContain("NNPACK", repro.Output);
    }

    /// <summary>
    /// On an AVX-512 EPYC here, oneDNN's native AVX-512 kernels returned input gradients 35–86 % off for 3×3 stride-1
    /// convolutions with 8 channels — the test models' width — and the tiny run's loss went NaN (16 and more channels
    /// were right). The pinned kernels must agree with a float64 computation at that width.
    /// </summary>
    [Theory]
    [InlineData(8, 8, 28)]
    [InlineData(16, 16, 28)]
    [InlineData(8, 16, 28)]
    public void Pinned_convolution_gradients_agree_with_float64_at_the_test_models_widths(int inChannels, int outChannels, int side)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        var x64 = randn([64, inChannels, side, side], ScalarType.Float64, generator: generator).requires_grad_(true);
        var w64 = (0.1 * randn([outChannels, inChannels, 3, 3], ScalarType.Float64, generator: generator)).detach().requires_grad_(true);
        var upstream = randn([64, outChannels, side, side], ScalarType.Float64, generator: generator);
        var x32 = x64.detach().to(ScalarType.Float32).requires_grad_(true);
        var w32 = w64.detach().to(ScalarType.Float32).requires_grad_(true);
        (nn.functional.conv2d(x64, w64, padding: [1, 1]) * upstream).sum().backward();
        (nn.functional.conv2d(x32, w32, padding: [1, 1]) * upstream.to(ScalarType.Float32)).sum().backward();

        static double RelativeError(Tensor a, Tensor b) => ((a.to(ScalarType.Float64) - b).abs().max() / b.abs().max()).item<double>();
        Assert.InRange(RelativeError(x32.grad!, x64.grad!), 0, 1e-5);
        Assert.InRange(RelativeError(w32.grad!, w64.grad!), 0, 1e-4);
    }

    [Theory]
    [InlineData(null, CpuMode.Reproducible)]
    [InlineData("", CpuMode.Reproducible)]
    [InlineData("reproducible", CpuMode.Reproducible)]
    [InlineData(" Native ", CpuMode.Native)]
    public void Mode_is_read_from_REPRO_CPU(string? value, CpuMode expected) => Assert.Equal(expected, ReproducibleCpu.ParseMode(value));

    [Fact]
    public void Bad_settings_are_refused_naming_the_variable_and_what_was_expected()
    {
        Assert.Contains("REPRO_CPU='fast': expected 'reproducible' (the default) or 'native'",
            Assert.Throws<ReproException>(() => ReproducibleCpu.ParseMode("fast")).Message);
        Assert.Contains("REPRO_THREADS='0': expected a whole number of threads ≥ 1",
            Assert.Throws<ReproException>(() => ReproducibleCpu.ResolveThreads(CpuMode.Reproducible, "0", null)).Message);
    }

    [Fact]
    public void Threads_come_from_REPRO_THREADS_then_OMP_NUM_THREADS_then_the_fixed_default()
    {
        Assert.Equal(3, ReproducibleCpu.ResolveThreads(CpuMode.Reproducible, "3", "5"));
        Assert.Equal(5, ReproducibleCpu.ResolveThreads(CpuMode.Reproducible, null, "5"));
        Assert.Equal(2, ReproducibleCpu.ResolveThreads(CpuMode.Reproducible, null, null));
        Assert.Equal(2, ReproducibleCpu.ResolveThreads(CpuMode.Reproducible, "", "junk"));
        Assert.Null(ReproducibleCpu.ResolveThreads(CpuMode.Native, null, null));   // libtorch's own choice
    }

    /// <summary>One training step of the tiny model in a child `repro bench`, with oneDNN's and MKL's verbose logs on.</summary>
    private static string VerboseStep(Dictionary<string, string> environment)
    {
        environment["ONEDNN_VERBOSE"] = "1";
        environment["MKL_VERBOSE"] = "1";
        using var repro = ReproProcess.StartCommand("dotnet",
            ["exec", ReproProcess.Dll, "bench", "--definition", Path.Combine(Repro.Data.DataPaths.RepositoryRoot()!, "experiments", "fmnist.json"),
             "--rows", "l2", "--batch", "4", "--steps", "1", "--warmup", "1", "--device", "cpu"],
            environment: environment);
        Assert.True(repro.Wait(TimeSpan.FromMinutes(2)) == 0, repro.Output);
        return repro.Output;
    }
}
