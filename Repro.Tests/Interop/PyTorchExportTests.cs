using System.Globalization;
using Repro.Data;
using Repro.Model;
using Repro.Runs;
using Repro.Scores;
using Repro.Tests.Training;
using Repro.Training;
using Xunit;

namespace Repro.Tests.Interop;

/// <summary>
/// `repro export` read by PyTorch itself: Debian's python3-torch loads the exported state_dict (torch.load) or
/// safetensors file into scripts/interop/score_pytorch.py's own definition of the network, built from the sidecar alone,
/// and recomputes each test image's ‖z‖ and logits; they must equal what the unit wrote in its scores files.
/// Tolerance: 1e-5 relative (‖z‖; measured 1.6e-7) and 1e-5 absolute below 1, relative above (max logit, energy; measured 2.7e-7) — float32 run by two different
/// libtorch builds and convolution kernels; a wrong layer, weight or normalization moves them by far more.
/// </summary>
[Collection(TorchCollection.Name)]
public class PyTorchExportTests(PyTorchExportTests.Units units, ITestOutputHelper output) : IClassFixture<PyTorchExportTests.Units>
{
    private const double Tolerance = 1e-5;
    private const int Subset = 2_000;

    /// <summary>Two real tiny units: the paper's network (DDU's spectral normalization on 3×3 convolutions, average-pooling
    /// shortcuts, leaky ReLU, train-only L2) and one that takes every other branch of the architecture (1×1 projection
    /// shortcuts, spectrally normalized as matrices, ReLU, normalization also in evaluation with τ = 0.5).</summary>
    public sealed class Units : IDisposable
    {
        private readonly TempDir dir = new();
        public string Paper { get; }
        public string Other { get; }
        public string Work => dir.Path;

        public Units()
        {
            Paper = Train(TinyRun.Config("l2") with
            {
                SpectralNorm = true, Shortcut = ShortcutKind.Avgpool, Activation = ActivationKind.LeakyRelu, TrainSubset = 512,
            });
            Other = Train(TinyRun.Config("always") with
            {
                SpectralNorm = true, Shortcut = ShortcutKind.Conv, Activation = ActivationKind.Relu, FeatureNorm = FeatureNormMode.Always,
                FeatureNormTemperature = 0.5, TrainSubset = 512,
            });
        }

        private string Train(RunConfig config)
        {
            var unit = new UnitFolder(Path.Combine(dir.Path, "results", config.Row, $"seed-{config.Seed}"), config.Row, config.Seed);
            UnitRunner.RunStack([config], [unit], unit.PartialCheckpoint, TinyRun.Data);
            return unit.Dir;
        }

        public void Dispose() => dir.Dispose();
    }

    [Fact]
    public void The_papers_network_exported_as_a_torch_state_dict_gives_the_units_own_scores_in_pytorch()
    {
        var weights = Export(units.Paper, ExportFormat.Pytorch);
        // The in-distribution test set straight from its published IDX file: the script's reader, not ours.
        var idx = Path.Combine(DataPaths.Root(), "fashion-mnist", "t10k-images-idx3-ubyte.gz");
        var outDir = RunScript(weights, idx, WriteImages("mnist"));

        Compare(units.Paper, "fashion-mnist", Path.Combine(outDir, "t10k-images-idx3-ubyte.csv"), 10_000);
        Compare(units.Paper, "mnist", Path.Combine(outDir, "mnist.csv"), Subset);
    }

    [Fact]
    public void Projection_shortcuts_and_evaluation_time_normalization_exported_as_safetensors_agree_too()
    {
        var weights = Export(units.Other, ExportFormat.Safetensors);
        var outDir = RunScript(weights, WriteImages("mnist"));
        Compare(units.Other, "mnist", Path.Combine(outDir, "mnist.csv"), Subset);
    }

    [Fact]
    public void The_sidecar_describes_the_network_and_an_export_never_overwrites()
    {
        var weights = Export(units.Paper, ExportFormat.Safetensors);
        var sidecar = File.ReadAllText(UnitExport.SidecarPath(weights));
        foreach (var fact in new[] { "\"shortcut\": \"avgpool\"", "\"activation\": \"leaky-relu\"", "\"mode\": \"train-only\"", "\"coefficient\": 3", "\"mean\": [", "\"width\": 8" })
            Assert.Contains(fact, sidecar);
        // Every enum as config.json spells it.
        var json = System.Text.Json.Nodes.JsonNode.Parse(sidecar)!;
        var (architecture, config) = (json["architecture"]!, json["config"]!);
        Assert.Equal(config["activation"]!.ToJsonString(), architecture["activation"]!.ToJsonString());
        Assert.Equal(config["shortcut"]!.ToJsonString(), architecture["shortcut"]!.ToJsonString());
        Assert.Equal(config["precision"]!.ToJsonString(), architecture["precision"]!.ToJsonString());
        Assert.Equal(config["featureNorm"]!.ToJsonString(), architecture["featureNormalization"]!["mode"]!.ToJsonString());
        var error = Assert.Throws<ReproException>(() => UnitExport.Write(units.Paper, ExportFormat.Safetensors, weights));
        Assert.Contains("refusing to overwrite", error.Message);
    }

    private string Export(string unitDir, ExportFormat format)
    {
        var file = Path.Combine(units.Work, $"{Path.GetFileName(Path.GetDirectoryName(unitDir))}-{format}-{Guid.NewGuid():N}{UnitExport.Extension(format)}");
        UnitExport.Write(unitDir, format, file);
        return file;
    }

    /// <summary>The first <see cref="Subset"/> test images of a set as uint8 .npy [N, 1, 28, 28], as the script reads them.</summary>
    private string WriteImages(string set)
    {
        var images = TinyRun.Data.Get(set, Split.Test);
        var path = Path.Combine(units.Work, $"{Guid.NewGuid():N}", $"{set}.npy");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        int perImage = images.Channels * images.Height * images.Width;
        NpyFile.WriteUInt8(path, images.Pixels.AsSpan(0, Subset * perImage), Subset, images.Channels, images.Height, images.Width);
        return path;
    }

    private string RunScript(string weights, params string[] images)
    {
        var outDir = Path.Combine(units.Work, $"py-{Guid.NewGuid():N}");
        var script = Path.Combine(DataPaths.RepositoryRoot()!, "scripts", "interop", "score_pytorch.py");
        output.WriteLine(Python.Run(Python.With("torch"), script, [weights, "--out", outDir, "--images", .. images]));
        return outDir;
    }

    /// <summary>‖z‖, max logit, energy (logsumexp) and predicted class per image, PyTorch's against the unit's scores file.</summary>
    private void Compare(string unitDir, string set, string pythonCsv, int count)
    {
        var ours = UnitFiles.ReadScores(unitDir, set);
        var lines = File.ReadAllLines(pythonCsv).Skip(1).Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
        Assert.Equal(count, lines.Count);
        double worstNorm = 0, worstLogit = 0;
        for (int i = 0; i < count; i++)
        {
            var logits = lines[i][2..];
            double norm = ours.Scores[FeatureNormScore.ScoreName][i], max = logits.Max();
            double energy = max + Math.Log(logits.Sum(l => Math.Exp(l - max)));
            worstNorm = Math.Max(worstNorm, Math.Abs(lines[i][1] - norm) / Math.Max(norm, 1e-6));
            worstLogit = Math.Max(worstLogit, Math.Max(Difference(max, ours.Scores[new MaxLogitScore().Name][i]),
                Difference(energy, ours.Scores[new EnergyScore().Name][i])));
            var ranked = logits.Order().ToArray();
            if (ranked[^1] - ranked[^2] > Tolerance)   // a near tie may fall either way in either library
                Assert.True(ours.Predictions[i] == Array.IndexOf(logits, max), $"{set} image {i}: PyTorch predicts {Array.IndexOf(logits, max)}, the unit {ours.Predictions[i]}");
        }
        output.WriteLine($"{Path.GetFileName(unitDir)} {set}: {count} images, largest relative ‖z‖ difference {worstNorm:E2}, largest logit-score difference {worstLogit:E2}");
        Assert.True(worstNorm <= Tolerance, $"{set}: ‖z‖ differs by {worstNorm:E2} (relative) between PyTorch and the unit");
        Assert.True(worstLogit <= Tolerance, $"{set}: max logit / energy differ by {worstLogit:E2} between PyTorch and the unit");
    }

    private static double Difference(double a, double b) => Math.Abs(a - b) / Math.Max(1, Math.Abs(b));
}
