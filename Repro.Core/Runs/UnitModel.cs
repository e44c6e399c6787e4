using Repro.Data;
using Repro.Model;
using Repro.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Runs;

/// <summary>
/// The trained network a finished unit keeps: its final state (weights, BatchNorm statistics, spectral-norm vectors)
/// as model.safetensors beside config.json, under the names of <see cref="ResNet18"/>'s state_dict — PyTorch's names.
/// With the config it rebuilds the exact model, for `repro score` and `repro export`.
/// </summary>
public static class UnitModel
{
    public const string File = "model.safetensors";

    public static string PathIn(string unitDir) => Path.Combine(unitDir, File);

    /// <summary>Writes a single (unstacked) model's state into <paramref name="dir"/>.</summary>
    public static void Save(string dir, ResNet18 model, RunConfig config)
    {
        if (model.Spec.Stack != 1) throw new ArgumentException("a unit keeps one model: take a stack apart first (ModelStack.Unstack)", nameof(model));
        Directory.CreateDirectory(dir);   // a stacked unit's partial folder is first made here (its checkpoint lives in the stack's)
        SafetensorsFile.Write(PathIn(dir), model.state_dict().Select(kv => (kv.Key, kv.Value)),
            new Dictionary<string, string> { ["format"] = "repro-unit-model/1", ["row"] = config.Row, ["seed"] = config.Seed.ToString() });
    }

    /// <summary>The unit's config and its model on <paramref name="device"/>, in evaluation mode. A unit finished before
    /// units kept their weights, or whose file does not match its config, is an error that says so.</summary>
    public static (RunConfig Config, ResNet18 Model) Load(string unitDir, Device device)
    {
        if (!ResultsFolder.IsFinishedUnit(unitDir))
            throw new ReproException($"{unitDir} is not a finished unit (no {UnitFiles.Metrics}); give a <results>/<row>/seed-<n> folder");
        var weightsPath = PathIn(unitDir);
        if (!System.IO.File.Exists(weightsPath))
            throw new ReproException($"{unitDir} has no {File}: it finished before units kept their trained weights; run it again to get them");
        var config = UnitFiles.ReadConfig(unitDir);
        var model = new ResNet18(config.ModelSpecFor(DataCatalog.Info(config.InDistribution)));
        var (tensors, _) = SafetensorsFile.Read(weightsPath);
        try
        {
            TensorFile.CopyInto(weightsPath, tensors.ToDictionary(t => t.Name, t => t.Value), model.state_dict().Select(kv => (kv.Key, kv.Value)));
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally { foreach (var (_, t) in tensors) t.Dispose(); }
        model.to(device).eval();
        return (config, model);
    }
}
