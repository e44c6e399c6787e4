using Repro.Runs;
using Repro.Tests.Training;
using Xunit;

namespace Repro.Tests.RunFiles;

/// <summary>What loading a unit's model says when the folder cannot give one (the happy path: Interop/PyTorchExportTests).</summary>
[Collection(TorchCollection.Name)]
public class UnitModelTests
{
    [Fact]
    public void A_unit_finished_before_weights_were_kept_says_so()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, UnitFiles.Metrics), "{}");
        File.WriteAllText(Path.Combine(dir.Path, UnitFiles.Config), TinyRun.Config().ToJson());
        var error = Assert.Throws<ReproException>(() => UnitModel.Load(dir.Path, TorchSharp.torch.CPU));
        Assert.Contains($"has no {UnitModel.File}", error.Message);
        Assert.Contains("run it again", error.Message);
    }

    [Fact]
    public void A_folder_that_is_not_a_finished_unit_is_named()
    {
        using var dir = new TempDir();
        var error = Assert.Throws<ReproException>(() => UnitModel.Load(dir.Path, TorchSharp.torch.CPU));
        Assert.Contains("is not a finished unit", error.Message);
        Assert.Contains("<row>/seed-<n>", error.Message);
    }
}
