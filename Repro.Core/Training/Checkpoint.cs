using Repro.Platform;
using System.Text.Json;
using Repro.Model;
using Repro.Runs;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>
/// End-of-epoch training state of one run or a stack of seeds — weights (with BatchNorm statistics and spectral-norm
/// vectors), SGD momentum, and each seed's config, shuffling/augmentation generator and curve so far — so an interrupted unit resumes at its last finished epoch
/// and, on the CPU, ends bit-identical to an uninterrupted run. Each epoch is written to its own folder and only then
/// named by the "latest" pointer (an atomic rename), so a kill at any moment leaves the previous epoch usable.
/// </summary>
public sealed class Checkpoint(string directory)
{
    private const string Pointer = "latest";
    public string Directory { get; } = directory;

    /// <summary>The last epoch (1-based) saved here, or null when there is none.</summary>
    public int? LatestEpoch()
    {
        var pointer = Path.Combine(Directory, Pointer);
        if (!File.Exists(pointer)) return null;
        var text = File.ReadAllText(pointer).Trim();
        return int.TryParse(text, out var epoch) && epoch > 0 && System.IO.Directory.Exists(EpochDir(epoch))
            ? epoch
            : throw new DataFormatException(pointer, "an epoch number naming an existing epoch-<n> folder", $"'{text}'");
    }

    /// <summary>Saves the state after <paramref name="epoch"/> of a stack of K seeds (K = 1: one run), one config,
    /// generator and curve per seed.</summary>
    public void Save(int epoch, IReadOnlyList<RunConfig> configs, ResNet18 model, FusedSgd optimizer, IReadOnlyList<Generator> generators,
        IReadOnlyList<IReadOnlyList<EpochRecord>> curves)
    {
        var dir = EpochDir(epoch);
        if (System.IO.Directory.Exists(dir)) System.IO.Directory.Delete(dir, recursive: true);
        System.IO.Directory.CreateDirectory(dir);
        TensorFile.Write(Path.Combine(dir, Weights), model.state_dict().Select(kv => (kv.Key, kv.Value)));
        Platform.CrashPoint.Here("checkpoint.files");
        TensorFile.Write(Path.Combine(dir, Momentum), optimizer.MomentumBuffers());
        for (int k = 0; k < configs.Count; k++)
        {
            using (var state = generators[k].get_state()) File.WriteAllBytes(Path.Combine(dir, $"generator-{k}.bin"), state.data<byte>().ToArray());
            File.WriteAllText(Path.Combine(dir, $"curve-{k}.json"), JsonSerializer.Serialize(curves[k], JsonFiles.Options));
            File.WriteAllText(Path.Combine(dir, $"config-{k}.json"), configs[k].ToJson());
        }
        Platform.CrashPoint.Here("checkpoint.pointer");
        AtomicFile.WriteAllText(Path.Combine(Directory, Pointer), epoch.ToString());
        foreach (var old in System.IO.Directory.EnumerateDirectories(Directory, "epoch-*"))
            if (old != dir) System.IO.Directory.Delete(old, recursive: true);
    }

    /// <summary>Loads the state saved after <paramref name="epoch"/>; refuses one made under a different config or for other seeds.</summary>
    public List<List<EpochRecord>> Restore(int epoch, IReadOnlyList<RunConfig> configs, ResNet18 model, FusedSgd optimizer,
        IReadOnlyList<Generator> generators)
    {
        var dir = EpochDir(epoch);
        int saved = System.IO.Directory.EnumerateFiles(dir, "config-*.json").Count();
        if (saved != configs.Count)
            throw new ReproException($"checkpoint {dir} holds {saved} seed(s), this run trains {configs.Count} " +
                                     $"({string.Join(", ", configs.Select(c => c.Seed))}); run them as before or delete the checkpoint folder to start over");
        for (int k = 0; k < configs.Count; k++)
        {
            var path = Path.Combine(dir, $"config-{k}.json");
            RunConfig.FromJson(File.ReadAllText(path), path).RequireSameRecipe(configs[k], differences =>
                $"checkpoint {dir} was made with a different config ({differences}); restore that config or delete the checkpoint folder to start the unit over");
        }
        var weightsPath = Path.Combine(dir, Weights);
        var weights = TensorFile.Read(weightsPath);
        try { TensorFile.CopyInto(weightsPath, weights, model.state_dict().Select(kv => (kv.Key, kv.Value))); }
        finally { foreach (var t in weights.Values) t.Dispose(); }
        var momentumPath = Path.Combine(dir, Momentum);
        var momentum = TensorFile.Read(momentumPath);
        try { optimizer.RestoreMomentum(momentumPath, momentum); }
        finally { foreach (var t in momentum.Values) t.Dispose(); }
        var curves = new List<List<EpochRecord>>();
        for (int k = 0; k < configs.Count; k++)
        {
            using (var state = tensor(File.ReadAllBytes(Path.Combine(dir, $"generator-{k}.bin")), ScalarType.Byte)) generators[k].set_state(state);
            var curvePath = Path.Combine(dir, $"curve-{k}.json");
            curves.Add(JsonSerializer.Deserialize<List<EpochRecord>>(File.ReadAllText(curvePath), JsonFiles.Options)
                       ?? throw new DataFormatException(curvePath, "the curve so far", "null"));
        }
        return curves;
    }

    private string EpochDir(int epoch) => Path.Combine(Directory, $"epoch-{epoch}");

    private const string Weights = "weights.tensors", Momentum = "momentum.tensors";
}
