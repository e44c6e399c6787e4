using System.Text.Json;
using Repro.Model;
using Repro.Runs;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>
/// End-of-epoch training state — weights (with BatchNorm statistics and spectral-norm vectors), SGD momentum, the
/// shuffling/augmentation generator and the curve so far — so an interrupted unit resumes at its last finished epoch
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

    public void Save(int epoch, RunConfig config, ResNet18 model, FusedSgd optimizer, Generator generator,
        IReadOnlyList<EpochRecord> curve)
    {
        var dir = EpochDir(epoch);
        if (System.IO.Directory.Exists(dir)) System.IO.Directory.Delete(dir, recursive: true);
        System.IO.Directory.CreateDirectory(dir);
        TensorFile.Write(Path.Combine(dir, Weights), model.state_dict().Select(kv => (kv.Key, kv.Value)));
        Platform.CrashPoint.Here("checkpoint.files");
        TensorFile.Write(Path.Combine(dir, Momentum), optimizer.MomentumBuffers());
        using (var state = generator.get_state()) File.WriteAllBytes(Path.Combine(dir, "generator.bin"), state.data<byte>().ToArray());
        File.WriteAllText(Path.Combine(dir, "curve.json"), JsonSerializer.Serialize(curve, RunConfig.Json));
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJson());
        Platform.CrashPoint.Here("checkpoint.pointer");
        AtomicFile.WriteAllText(Path.Combine(Directory, Pointer), epoch.ToString());
        foreach (var old in System.IO.Directory.EnumerateDirectories(Directory, "epoch-*"))
            if (old != dir) System.IO.Directory.Delete(old, recursive: true);
    }

    /// <summary>Loads the state saved after <paramref name="epoch"/>; refuses one made under a different config.</summary>
    public List<EpochRecord> Restore(int epoch, RunConfig config, ResNet18 model, FusedSgd optimizer, Generator generator)
    {
        var dir = EpochDir(epoch);
        var saved = RunConfig.FromJson(File.ReadAllText(Path.Combine(dir, "config.json")), Path.Combine(dir, "config.json"));
        saved.RequireSameRecipe(config, differences => $"checkpoint {dir} was made with a different config ({differences}); " +
                                                       "restore that config or delete the checkpoint folder to start the unit over");
        var weightsPath = Path.Combine(dir, Weights);
        var weights = TensorFile.Read(weightsPath);
        try { TensorFile.CopyInto(weightsPath, weights, model.state_dict().Select(kv => (kv.Key, kv.Value))); }
        finally { foreach (var t in weights.Values) t.Dispose(); }
        var momentumPath = Path.Combine(dir, Momentum);
        var momentum = TensorFile.Read(momentumPath);
        try { optimizer.RestoreMomentum(momentumPath, momentum); }
        finally { foreach (var t in momentum.Values) t.Dispose(); }
        using (var state = tensor(File.ReadAllBytes(Path.Combine(dir, "generator.bin")), ScalarType.Byte)) generator.set_state(state);
        return JsonSerializer.Deserialize<List<EpochRecord>>(File.ReadAllText(Path.Combine(dir, "curve.json")), RunConfig.Json)
               ?? throw new DataFormatException(Path.Combine(dir, "curve.json"), "the curve so far", "null");
    }

    private string EpochDir(int epoch) => Path.Combine(Directory, $"epoch-{epoch}");

    private const string Weights = "weights.tensors", Momentum = "momentum.tensors";
}
