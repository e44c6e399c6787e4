using Repro.Data;
using Repro.Tests.Faults;
using Xunit;

namespace Repro.Tests.Data;

/// <summary>`repro data check` lists every split, present or missing, instead of stopping at the first missing one.</summary>
public class DataCheckTests
{
    [Fact]
    public void Every_split_is_listed_as_present_or_missing_with_its_fetch_command()
    {
        using var dir = new TempDir();
        // A data directory holding Fashion-MNIST only (linked from the real one): MNIST and the CIFAR sets are missing.
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "fashion-mnist"), Path.Combine(DataPaths.Root(), "fashion-mnist"));
        using var check = ReproProcess.StartCommand("dotnet", ["exec", ReproProcess.Dll, "data", "check"],
            environment: new Dictionary<string, string> { [DataPaths.EnvironmentVariable] = dir.Path });
        int exit = check.Wait(TimeSpan.FromMinutes(2));
        var lines = check.Output.Split('\n');

        Assert.Equal(1, exit);   // the quickstart's MNIST is missing
        Assert.Contains(lines, l => l.StartsWith("fashion-mnist/train: 60000 images 1×28×28"));
        Assert.Contains(lines, l => l.StartsWith("fashion-mnist/test: 10000 images"));
        Assert.Contains(lines, l => l.StartsWith($"mnist/test: not present (fetch with `{Repro.Cli.CommandHints.Fetch}`)"));
        foreach (var split in new[] { "cifar10/train", "cifar10/test", "cifar100/train", "cifar100/test", "svhn/test" })
            Assert.Contains(lines, l => l.StartsWith($"{split}: not present (fetch with `{Repro.Cli.CommandHints.FetchCifar}`)"));
    }
}
