using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Repro.Data;
using Repro.Losses;
using Repro.Model;

namespace Repro.Training;

/// <summary>
/// One row's complete recipe: model, normalization, loss, optimizer, schedule, data, seed. Serialized as the run's
/// config.json. Defaults follow the paper where it speaks, else DDU (Mukhoti et al. 2021, their train.py):
/// SGD lr 0.1, momentum 0.9, weight decay 5e-4, no Nesterov, step decay γ = 0.1; augmentation = random crop with
/// 4-pixel zero padding + horizontal flip (DDU and LogitNorm alike).
/// </summary>
public sealed record RunConfig
{
    // First: every other static initializer below builds a RunConfig, whose model settings read it.
    private static readonly ModelSpec ModelDefaults = new();

    /// <summary>Row label used in tables and directory names (Platform/SafeName.cs says what a name may be).</summary>
    public string Row { get; init; } = "l2";
    public string InDistribution { get; init; } = "fashion-mnist";
    public string[] OodSets { get; init; } = ["mnist"];

    // The model's settings, with ModelSpec's defaults (each is written there once); ModelSpecFor maps them.
    public int Width { get; init; } = ModelDefaults.Width;
    public ActivationKind Activation { get; init; } = ModelDefaults.Activation;
    /// <summary>conv (1×1 convolution + BatchNorm) or avgpool (DDU's `-mod` shortcut, which comes with its leaky ReLU).</summary>
    public ShortcutKind Shortcut { get; init; } = ModelDefaults.Shortcut;
    public FeatureNormMode FeatureNorm { get; init; } = ModelDefaults.FeatureNorm;
    /// <summary>ε of z/max(‖z‖, ε) (Model/FeatureNormalization.cs).</summary>
    public double FeatureNormEpsilon { get; init; } = ModelDefaults.FeatureNormEpsilon;
    /// <summary>τ of z/(max(‖z‖, ε)·τ): 1 is the paper's method, 0.1 T2FNorm's (Model/FeatureNormalization.cs).</summary>
    public double FeatureNormTemperature { get; init; } = ModelDefaults.FeatureNormTemperature;

    /// <summary>DDU's soft spectral normalization on every convolution (the paper's "+" and L2 models).</summary>
    public bool SpectralNorm { get; init; } = ModelDefaults.SpectralNorm;
    /// <summary>Lipschitz coefficient c of W / max(1, σ/c) (Model/SpectralNormConv2d.cs).</summary>
    public double SpectralNormCoefficient { get; init; } = ModelDefaults.SpectralNormCoefficient;
    /// <summary>fp32; bf16: convolutions compute in bfloat16 from fp32 master weights; bf16-activations: and the activations
    /// between them stay bfloat16 (Model/LowPrecisionConv2d.cs).</summary>
    public ComputePrecision Precision { get; init; } = ModelDefaults.Precision;

    public LossKind Loss { get; init; } = LossKind.CrossEntropy;
    public double LogitNormTemperature { get; init; } = LogitNormLoss.DefaultTemperature;

    public int Epochs { get; init; } = 15;
    public int BatchSize { get; init; } = 128;
    public double LearningRate { get; init; } = 0.1;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 5e-4;
    /// <summary>Nesterov momentum: off in DDU and LogitNorm, on in OpenOOD's trainers.</summary>
    public bool Nesterov { get; init; }
    /// <summary>step (×<see cref="Gamma"/> at each milestone, per epoch) or cosine (OpenOOD: per step from the learning rate to 1e-6).</summary>
    public LearningRateSchedule LrSchedule { get; init; } = LearningRateSchedule.Step;
    /// <summary>Epochs (0-based) from which the learning rate is multiplied by <see cref="Gamma"/> once more.</summary>
    public int[] Milestones { get; init; } = [];
    public double Gamma { get; init; } = 0.1;

    public int Seed { get; init; } = 0;
    /// <summary>
    /// Share of the training split held out, drawn with the run's seed as DDU's train.py does (val_size = 0.1: 45,000
    /// of CIFAR-10's 50,000 are trained on; Data/TrainingSplit.cs). 0 trains on every image.
    /// </summary>
    public double ValidationFraction { get; init; }
    /// <summary>Train on the first N training images only (null = all; after the held-out share is removed); for CPU-sized runs and tests.</summary>
    public int? TrainSubset { get; init; }
    /// <summary>Score an evenly spaced N of each test set, ID and OoD alike (null = all): every (count/N)-th image, so a set
    /// stored class by class keeps every class. For smoke runs and tests; results meant to be compared use whole sets.</summary>
    public int? TestSubset { get; init; }
    /// <summary>
    /// A held-out OoD set (e.g. openood-val-tin) on which the tunable scores pick their setting from OpenOOD's sweep,
    /// against the unit's held-out training images (Runs/ScoreTuning.cs); null, or a unit that holds none out: every
    /// score at OpenOOD's config default. Scoring only: the training is the same either way.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? TuneOn { get; init; }
    public bool Augment { get; init; } = true;
    public int CropPadding { get; init; } = 4;
    /// <summary>
    /// Evaluation batch. 256 on the CPU: before NativeAllocator switched glibc's mmap off, buffers above 32 MiB were
    /// mapped and zeroed afresh on every call (at 1000 a width-16 evaluation spent 34 s of 49 in the kernel).
    /// GPU definitions set it higher; results do not depend on it (evaluation-mode BatchNorm).
    /// </summary>
    public int EvalBatchSize { get; init; } = 256;

    /// <summary>The score this row is judged by in tables (every registered score is still computed and saved).</summary>
    public string PrimaryScore { get; init; } = "feature_norm";
    /// <summary>"auto" (CUDA when available, else CPU), "cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; init; } = "auto";


    /// <summary>Throws <see cref="ConfigException"/> naming the first invalid key.</summary>
    public RunConfig Validate()
    {
        static void Require(bool ok, string key, string problem) { if (!ok) throw new ConfigException(key, problem); }
        // JSON's null fits any reference type: every such key must be present.
        foreach (var (key, value) in new (string, object?)[]
                 {
                     ("row", Row), ("inDistribution", InDistribution), ("oodSets", OodSets), ("milestones", Milestones),
                     ("primaryScore", PrimaryScore), ("device", Device),
                 })
            Require(value is not null, key, "must have a value, got null");
        Require(OodSets.All(o => o is not null), "oodSets", "must name data sets, got a null");
        Platform.SafeName.Require(Row, "row");   // it names the unit's folder (Runs/ResultsFolder.cs also keeps it off the folder's own files)
        Require(Seed >= 0, "seed", $"must be ≥ 0 (numpy's generator, which draws the held-out split, takes 0 to 2³²−1), got {Seed}");
        Require(Width >= 1, "width", $"must be ≥ 1, got {Width}");
        Require(FeatureNormEpsilon > 0, "featureNormEpsilon", $"must be > 0, got {FeatureNormEpsilon}");
        Require(FeatureNormTemperature > 0 && double.IsFinite(FeatureNormTemperature), "featureNormTemperature",
            $"must be a finite value > 0, got {FeatureNormTemperature}");
        Require(FeatureNormTemperature == 1.0 || FeatureNorm != FeatureNormMode.None, "featureNormTemperature",
            $"applies only with featureNorm train-only or always, got {FeatureNormTemperature} with featureNorm none");
        Require(ValidationFraction is >= 0 and < 1, "validationFraction", $"must be in [0, 1), got {ValidationFraction}");
        Require(SpectralNormCoefficient > 0, "spectralNormCoefficient", $"must be > 0, got {SpectralNormCoefficient}");
        Require(LogitNormTemperature > 0, "logitNormTemperature", $"must be > 0, got {LogitNormTemperature}");
        Require(Epochs >= 1, "epochs", $"must be ≥ 1, got {Epochs}");
        Require(BatchSize >= 2, "batchSize", $"must be ≥ 2 (BatchNorm needs two samples), got {BatchSize}");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), "learningRate", $"must be a finite value > 0, got {LearningRate}");
        Require(Momentum is >= 0 and < 1, "momentum", $"must be in [0, 1), got {Momentum}");
        Require(WeightDecay >= 0, "weightDecay", $"must be ≥ 0, got {WeightDecay}");
        Require(Milestones.All(m => m >= 1) && Milestones.SequenceEqual(Milestones.Order()), "milestones",
            $"must be increasing epoch numbers ≥ 1, got [{string.Join(", ", Milestones)}]");
        Require(Gamma is > 0 and <= 1, "gamma", $"must be in (0, 1], got {Gamma}");
        Require(LrSchedule == LearningRateSchedule.Step || Milestones.Length == 0, "milestones",
            $"belong to the step schedule; lrSchedule cosine takes none, got [{string.Join(", ", Milestones)}]");
        Require(TrainSubset is null or >= 2, "trainSubset", $"must be ≥ 2 or absent, got {TrainSubset}");
        Require(TestSubset is null or >= 2, "testSubset", $"must be ≥ 2 or absent, got {TestSubset}");
        Require(CropPadding >= 0, "cropPadding", $"must be ≥ 0, got {CropPadding}");
        Require(EvalBatchSize >= 1, "evalBatchSize", $"must be ≥ 1, got {EvalBatchSize}");
        Require(OodSets.Length >= 1, "oodSets", "must name at least one OoD data set");
        Require(Scores.ScoreRegistry.Names.Contains(PrimaryScore), "primaryScore",
            $"must be one of {string.Join(", ", Scores.ScoreRegistry.Names)}, got '{PrimaryScore}'");
        Require(Device == "auto" || Device == "cpu" || Device == "cuda" || Device.StartsWith("cuda:"), "device",
            $"must be auto, cpu, cuda or cuda:N, got '{Device}'");
        Require(TuneOn is null || Data.DataCatalog.All.Any(d => d.Name == TuneOn) && TuneOn != InDistribution && !OodSets.Contains(TuneOn), "tuneOn",
            $"must be a held-out OoD set, neither the in-distribution set nor one of the OoD test sets, got '{TuneOn}'");
        foreach (var name in OodSets.Prepend(InDistribution))
            Require(Data.DataCatalog.All.Any(d => d.Name == name), name == InDistribution ? "inDistribution" : "oodSets",
                $"unknown data set '{name}'; known: {string.Join(", ", Data.DataCatalog.All.Select(d => d.Name))}");
        return this;
    }

    /// <summary>
    /// Learning rate of a step (0-based epoch and step within it). Step schedule: as PyTorch's MultiStepLR stepped per
    /// epoch. Cosine: OpenOOD's LambdaLR(cosine_annealing) stepped after every batch (openood/trainers/base_trainer.py,
    /// lr_scheduler.py), 1e-6 + (lr − 1e-6)·½(1 + cos(π t / T)) at global step t of T.
    /// </summary>
    public double LearningRateAt(int epoch, int step = 0, int stepsPerEpoch = 1) => LrSchedule switch
    {
        LearningRateSchedule.Step => LearningRate * Math.Pow(Gamma, Milestones.Count(m => m <= epoch)),
        LearningRateSchedule.Cosine => CosineFloor + (LearningRate - CosineFloor) * 0.5 *
            (1 + Math.Cos(Math.PI * (epoch * (double)stepsPerEpoch + step) / (Epochs * (double)stepsPerEpoch))),
        _ => throw new ConfigException("lrSchedule", $"unsupported value {LrSchedule}"),
    };

    /// <summary>The training images this unit trains on, out of a training set of <paramref name="trainingImages"/> (Data/TrainingSplit.cs).</summary>
    public Data.TrainingSplit TrainingSplit(int trainingImages) => Data.TrainingSplit.For(Seed, ValidationFraction, TrainSubset, trainingImages);

    /// <summary>The network this row trains on images shaped like <paramref name="data"/>'s; <paramref name="stack"/> K
    /// models computed as one (ModelSpec.Stack). The one mapping from a config to a model.</summary>
    public ModelSpec ModelSpecFor(DatasetInfo data, int stack = 1) => new(
        InputChannels: data.Channels, NumClasses: data.NumClasses, InputSize: data.Side, Width: Width, Activation: Activation,
        Shortcut: Shortcut, FeatureNorm: FeatureNorm, FeatureNormEpsilon: FeatureNormEpsilon, FeatureNormTemperature: FeatureNormTemperature,
        SpectralNorm: SpectralNorm, SpectralNormCoefficient: SpectralNormCoefficient, Precision: Precision, Stack: stack);

    /// <summary>OpenOOD's cosine ends at 1e-6 (its lr_min argument is 1e-6 / lr, times the base lr).</summary>
    public const double CosineFloor = 1e-6;

    /// <summary>Every config key as written in JSON and in --set overrides (those left out of the JSON while null among them).</summary>
    public static IReadOnlyList<string> Keys { get; } =
        JsonNode.Parse(JsonSerializer.Serialize(new RunConfig { TuneOn = "" }, JsonFiles.Options))!.AsObject().Select(kv => kv.Key).ToList();

    public string ToJson() => JsonSerializer.Serialize(this, JsonFiles.Options);

    /// <summary>The same unit of work: every key equal except the device, which says where it runs, not what it is.</summary>
    public bool SameRecipe(RunConfig other) => RecipeDifferences(other).Count == 0;

    /// <summary>Each key whose value differs, as "key: ours → theirs" (the device, and any key in <paramref name="ignoring"/>, aside).</summary>
    public IReadOnlyList<string> RecipeDifferences(RunConfig other, params string[] ignoring)
    {
        var x = JsonNode.Parse(ToJson())!.AsObject();
        var y = JsonNode.Parse(other.ToJson())!.AsObject();
        return Keys.Where(k => k != "device" && !ignoring.Contains(k) && x[k]?.ToJsonString() != y[k]?.ToJsonString())
            .Select(k => $"{k}: {x[k]?.ToJsonString() ?? "null"} → {y[k]?.ToJsonString() ?? "null"}").ToList();
    }

    /// <summary>
    /// Refuses to treat <paramref name="other"/> as this recipe: throws a <see cref="ReproException"/> whose message
    /// <paramref name="message"/> builds from the differences ("key: a → b, …") when there are any.
    /// </summary>
    public void RequireSameRecipe(RunConfig other, Func<string, string> message)
    {
        var differences = RecipeDifferences(other);
        if (differences.Count > 0) throw new ReproException(message(string.Join(", ", differences)));
    }

    public static RunConfig FromJson(string json, string source)
    {
        try
        {
            return (JsonSerializer.Deserialize<RunConfig>(json, JsonFiles.Options) ?? throw new ConfigException("(root)", $"{source} holds null"))
                .Validate();
        }
        catch (JsonException e)
        {
            var key = e.Path is { Length: > 2 } p ? p.TrimStart('$', '.') : "(root)";
            var problem = e.Message.Contains("could not be mapped")
                ? $"no such key; known: {string.Join(", ", Keys)}"
                : e.Message;
            throw new ConfigException(key, $"{source}: {problem}");
        }
    }

    /// <summary>Applies `key=value` overrides (JSON values; bare words are strings), validating the result.</summary>
    public RunConfig With(IEnumerable<string> assignments)
    {
        var node = JsonNode.Parse(ToJson())!.AsObject();
        foreach (var assignment in assignments)
        {
            int eq = assignment.IndexOf('=');
            if (eq <= 0) throw new ConfigException("override", $"expected key=value, got '{assignment}'");
            var key = assignment[..eq].Trim();
            var raw = assignment[(eq + 1)..].Trim();
            if (!Keys.Contains(key)) throw new ConfigException(key, $"no such key; known: {string.Join(", ", Keys)}");
            JsonNode? value;
            try { value = JsonNode.Parse(raw); } catch (JsonException) { value = JsonValue.Create(raw); }
            node[key] = value;
        }
        return FromJson(node.ToJsonString(), "override");
    }
}

public enum LossKind { CrossEntropy, Logitnorm }

public enum LearningRateSchedule { Step, Cosine }
