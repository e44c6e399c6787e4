using Repro.Platform;
using System.Text.Json;
using System.Text.Json.Nodes;
using Repro.Data;
using Repro.Model;
using Repro.Training;

namespace Repro.Runs;

public enum ExportFormat { Pytorch, Safetensors }

/// <summary>
/// `repro export`: a finished unit's weights for other tools — PyTorch's torch.save state_dict (<see cref="TorchSaveFile"/>)
/// or safetensors — and a JSON sidecar that says everything needed to rebuild the network without this code: the
/// architecture (width, channels, activation, shortcut, spectral normalization and how its vectors are shaped, the
/// feature normalization and when it applies), the input preprocessing, and which unit it came from.
/// scripts/interop/score_pytorch.py is a PyTorch reader of both, written from that description.
/// </summary>
public static class UnitExport
{
    /// <summary>2: enums spelled as in config.json (leaky-relu; precision bf16 or fp32). 1 wrote leaky_relu and described the precision.</summary>
    public const string SidecarFormat = "repro-export/2";

    public static string DefaultFile(string unitDir, ExportFormat format)
    {
        var full = Path.GetFullPath(unitDir).TrimEnd(Path.DirectorySeparatorChar);
        var stem = $"{Path.GetFileName(Path.GetDirectoryName(full))}-{Path.GetFileName(full)}";
        return $"{stem}{Extension(format)}";
    }

    public static string Extension(ExportFormat format) => format == ExportFormat.Pytorch ? ".pt" : ".safetensors";

    /// <summary>The sidecar's path for a weights file: its name + .json (l2-seed-0.pt.json), so both formats can sit side by side.</summary>
    public static string SidecarPath(string weightsFile) => weightsFile + ".json";

    /// <summary>Writes the unit's weights to <paramref name="file"/> and the sidecar beside it; refuses to overwrite either.</summary>
    public static void Write(string unitDir, ExportFormat format, string file)
    {
        var sidecar = SidecarPath(file);
        foreach (var existing in new[] { file, sidecar }.Where(File.Exists))
            throw new ReproException($"{existing} already exists; refusing to overwrite it (remove it or pass -o another file)");
        if (Path.GetFullPath(file) == Path.GetFullPath(UnitModel.PathIn(unitDir)))
            throw new ReproException($"{file} is the unit's own weights file; pass -o another file");
        var (config, model) = UnitModel.Load(unitDir, TorchSharp.torch.CPU);
        using (model)
        {
            var tensors = model.state_dict().Select(kv => (kv.Key, kv.Value)).ToList();
            var temp = $"{file}.{Environment.ProcessId}.tmp";
            try
            {
                if (format == ExportFormat.Pytorch) TorchSaveFile.Write(temp, tensors);
                else SafetensorsFile.Write(temp, tensors, new Dictionary<string, string> { ["format"] = "pt", ["sidecar"] = Path.GetFileName(sidecar) });
                AtomicFile.WriteAllText(sidecar, Sidecar(unitDir, config, model.Spec, format, Path.GetFileName(file)).ToJsonString(Indented));
                File.Move(temp, file);
            }
            finally { if (File.Exists(temp)) File.Delete(temp); }
        }
    }

    private static readonly JsonSerializerOptions Indented = new(JsonFiles.Options) { WriteIndented = true };

    /// <summary>What the weights are (architecture, preprocessing), which unit they came from, and that unit's config.</summary>
    public static JsonObject Sidecar(string unitDir, RunConfig config, ModelSpec spec, ExportFormat format, string weightsFile) => new()
    {
        ["format"] = SidecarFormat,
        ["weights"] = weightsFile,
        ["weightsFormat"] = format == ExportFormat.Pytorch ? "pytorch-state-dict" : "safetensors",
        ["architecture"] = Architecture(spec),
        ["preprocessing"] = Preprocessing(DataCatalog.Info(config.InDistribution)),
        ["unit"] = Unit(config, UnitFiles.ReadResult(unitDir)),
        ["config"] = JsonNode.Parse(config.ToJson()),
    };

    private static JsonObject Architecture(ModelSpec spec) => new()
    {
        ["network"] = "resnet18-cifar",
        ["description"] = "CIFAR ResNet18: 3x3 stem conv (stride 1, no max-pool) + BatchNorm + activation; four stages of two " +
                          "basic blocks (conv3x3-BN-act-conv3x3-BN, + shortcut, then act), widths w, 2w, 4w, 8w, strides 1, 2, 2, 2; " +
                          "global average pooling to z (8w); feature normalization; linear classifier fc. No conv has a bias.",
        ["width"] = spec.Width,
        ["inputChannels"] = spec.InputChannels,
        ["inputSize"] = spec.InputSize,
        ["numClasses"] = spec.NumClasses,
        ["featureDim"] = spec.FeatureDim,
        ["activation"] = AsInConfig(spec.Activation),
        ["leakyReluSlope"] = spec.Activation == ActivationKind.LeakyRelu ? Activations.LeakySlope : null,
        ["shortcut"] = AsInConfig(spec.Shortcut),
        ["shortcutDescription"] = spec.Shortcut == ShortcutKind.Avgpool
            ? "DDU's AvgPoolShortCut where a block changes shape: avg_pool2d(kernel = stride = s), or for an odd side a 1x1 pool with stride s; then zero channels appended up to the block's width"
            : "1x1 conv (stride s, no bias) + BatchNorm where a block changes shape (shortcut.0, shortcut.1)",
        ["spectralNorm"] = spec.SpectralNorm ? SpectralNorm(spec) : null,
        ["featureNormalization"] = new JsonObject
        {
            ["mode"] = AsInConfig(spec.FeatureNorm),
            ["epsilon"] = spec.FeatureNormEpsilon,
            ["temperature"] = spec.FeatureNormTemperature,
            ["description"] = "the classifier sees z / (max(||z||_2, eps) * temperature) when the normalization is active (train-only: in " +
                              "training only; always: also in evaluation); otherwise z / temperature. The feature_norm score is ||z||_2 of raw z.",
        },
        ["precision"] = AsInConfig(spec.Precision),
        ["precisionDescription"] = spec.Precision switch
        {
            ComputePrecision.Bf16 => "convolutions computed in bfloat16 from fp32 weights; the weights are fp32",
            ComputePrecision.Bf16Activations => "convolutions computed in bfloat16 from fp32 weights, and the activations between them " +
                                                "(BatchNorm, nonlinearity, residual add) kept bfloat16; the weights, BatchNorm's statistics " +
                                                "and z (pooled in fp32) are fp32",
            _ => "fp32 throughout",
        },
    };

    private static JsonObject SpectralNorm(ModelSpec spec) => new()
    {
        ["coefficient"] = spec.SpectralNormCoefficient,
        ["operatorStabilityTerm"] = SpectralNormConv2d.OperatorStabilityTerm,
        ["description"] = "every conv: weight W with buffers u, v from power iteration. 3x3 convs (operator form): u has the layer's " +
                          "output shape [1, C_out, H_out, W_out], v its input shape [1, C_in, H, W]; sigma = sum(u * conv2d(v, W)); " +
                          "W_used = W / (max(1, sigma / c) + 1e-5). 1x1 convs (matrix form): u [C_out], v [C_in]; " +
                          "sigma = u . (W[C_out, C_in] v); W_used = W / max(1, sigma / c). In evaluation u, v are used as stored.",
    };

    private static JsonObject Preprocessing(DatasetInfo info) => new()
    {
        ["inDistribution"] = info.Name,
        ["channels"] = info.Channels,
        ["size"] = info.Side,
        ["mean"] = new JsonArray(info.Mean.Select(m => (JsonNode?)m).ToArray()),
        ["std"] = new JsonArray(info.Std.Select(s => (JsonNode?)s).ToArray()),
        ["description"] = "uint8 pixels [N, C, H, W] / 255, then (x - mean) / std per channel; OoD sets are normalized with the in-distribution statistics",
    };

    private static JsonObject Unit(RunConfig config, UnitResult result) => new()
    {
        ["row"] = config.Row,
        ["seed"] = config.Seed,
        ["oodSets"] = new JsonArray(config.OodSets.Select(s => (JsonNode?)s).ToArray()),
        ["primaryScore"] = config.PrimaryScore,
        ["idAccuracy"] = result.Accuracy,
        ["commit"] = result.Versions.TryGetValue("commit", out var commit) ? commit : null,
        ["finished"] = result.Finished,
    };

    /// <summary>An enum spelled as config.json spells it, so a reader of both needs one vocabulary.</summary>
    private static JsonNode? AsInConfig<T>(T value) where T : struct, Enum => JsonSerializer.SerializeToNode(value, JsonFiles.Options);
}
