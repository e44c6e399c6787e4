using Repro.Data;
using Repro.Training;

namespace Repro.Experiments;

/// <summary>
/// What `dotnet test --filter Category=Repro` reproduces: the committed definition named by $REPRO_DEFINITION —
/// "table1" (default: Table 1 on CIFAR-10/SVHN/CIFAR-100, GPU) or "fmnist" (the same contrasts on Fashion-MNIST →
/// MNIST, GPU-sized) — judged against the bands beside it. Results go to $REPRO_RESULTS (default
/// runs/repro-&lt;definition&gt;), so a rerun resumes; $REPRO_SHARD = i/n splits the units.
/// $REPRO_DEVICE (default cuda) and $REPRO_SET (key=value overrides of every row, separated by ';') exist for dry runs
/// of the GPU acceptance script on a CPU: a run with overrides is never judged against the bands.
/// </summary>
public sealed record ReproductionRun(string Name, string DefinitionPath, string BandsPath, string ResultsDir, int Shard, int Shards,
    string Device = "cuda", IReadOnlyList<string>? Overrides = null)
{
    public const string DefinitionVariable = "REPRO_DEFINITION", ResultsVariable = "REPRO_RESULTS", ShardVariable = "REPRO_SHARD",
        DeviceVariable = "REPRO_DEVICE", SetVariable = "REPRO_SET";
    public const string DefaultDefinition = "table1";

    public static ReproductionRun FromEnvironment()
    {
        var repo = DataPaths.RepositoryRoot() ?? throw new ReproException("the Repro tests must run inside the repository");
        var name = Environment.GetEnvironmentVariable(DefinitionVariable) is { Length: > 0 } p ? p : DefaultDefinition;
        var definition = ExperimentDefinition.PathOf(repo, name);
        if (!Platform.SafeName.IsValid(name) || !File.Exists(definition))
            throw new ReproException($"${DefinitionVariable}: expected a committed definition ({string.Join(", ", ExperimentDefinition.Names(repo))}), got '{name}'");
        var results = Environment.GetEnvironmentVariable(ResultsVariable) is { Length: > 0 } r
            ? Path.GetFullPath(r) : Path.Combine(repo, "runs", $"repro-{name}");
        var (shard, shards) = Environment.GetEnvironmentVariable(ShardVariable) is { Length: > 0 } s
            ? ExperimentRunner.ParseShard(s, ShardVariable) : (1, 1);
        var device = Environment.GetEnvironmentVariable(DeviceVariable) is { Length: > 0 } d ? d : "cuda";
        var overrides = (Environment.GetEnvironmentVariable(SetVariable) ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        return new ReproductionRun(name, definition, ToleranceBands.PathBeside(definition), results, shard, shards, device, overrides);
    }

    /// <summary>The definition as this run trains it: on its device, with its overrides (none, for a reproduction).</summary>
    public Experiment Experiment(ExperimentDefinition definition)
    {
        try { return definition.ToExperiment().With([$"device={Device}", .. Overrides ?? []]); }
        catch (ConfigException e) { throw new ReproException($"${(e.Key == "device" ? DeviceVariable : SetVariable)}: {e.Message}"); }
    }

    /// <summary>Everything that must hold before hours of training start; each problem says what to do.</summary>
    public IReadOnlyList<ReproException> Preconditions(ExperimentDefinition definition)
    {
        var problems = new List<ReproException>();
        if (Device.StartsWith("cuda", StringComparison.Ordinal) && !Devices.CudaAvailable())
            problems.Add(new ReproException($"`{Name}` needs a CUDA GPU and this build's libtorch sees none: build with -p:TorchBackend=cuda " +
                                            "(or -p:TorchBackend=external with PyTorch's torch/lib on LD_LIBRARY_PATH), on a machine with a GPU"));
        var data = new DataSets();
        foreach (var name in definition.Rows.Select(definition.ConfigFor).SelectMany(c => c.OodSets.Prepend(c.InDistribution)).Distinct())
        {
            try { data.Get(name, Split.Test); }
            catch (ReproException e) { problems.Add(e); }
        }
        return problems;
    }
}
