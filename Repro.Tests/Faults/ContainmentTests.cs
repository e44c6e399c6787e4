using Repro.Platform;
using Repro.Data;
using Repro.Experiments;
using Repro.Runs;
using Repro.Tests.Training;
using Repro.Training;
using Xunit;

namespace Repro.Tests.Faults;

/// <summary>
/// What a new user ran into (issue 28), each fixed and kept fixed: a row name that wrote outside the results folder,
/// `--set row=` renaming every row into one folder, links that lead a run or a merge out of its folder, and an image
/// folder's link loop read 41 times.
/// </summary>
[Collection(TorchCollection.Name)]
public class ContainmentTests
{
    private static string Repo => DataPaths.RepositoryRoot()!;

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("a\nb")]
    [InlineData("l2é")]
    [InlineData("/etc")]
    public void A_row_name_that_is_not_one_visible_path_segment_is_refused(string name)
    {
        var e = Assert.Throws<ConfigException>(() => TinyRun.Config() with { Row = name } is var c ? c.Validate() : null);
        Assert.Equal("row", e.Key);
        Assert.Contains(SafeName.Rule, e.Message);
        Assert.Throws<ConfigException>(() => TinyRun.Config().With([$"row={name}"]));
    }

    [Fact]
    public void Names_that_are_one_visible_segment_pass_and_the_limit_is_100_characters()
    {
        foreach (var name in new[] { "l2", "l2-60", "logitnorm-350-plus", "T2F.norm_1", "a..b", new string('x', 100) })
            Assert.Equal(name, (TinyRun.Config() with { Row = name }).Validate().Row);
        Assert.Throws<ConfigException>(() => (TinyRun.Config() with { Row = new string('x', 101) }).Validate());
        Assert.Equal("seed", Assert.Throws<ConfigException>(() => (TinyRun.Config() with { Seed = -1 }).Validate()).Key);
    }

    [Theory]
    [InlineData("\"name\": \"fmnist\"", "\"name\": \"../escape\"", "name")]
    [InlineData("\"name\": \"l2\"", "\"name\": \"..\"", "rows[].name")]
    [InlineData("\"seeds\": [0, 1, 2, 3, 4]", "\"seeds\": [0, -1]", "seeds")]
    [InlineData("\"seeds\": [0, 1, 2, 3, 4]", "\"seeds\": [0, 1, 1]", "seeds")]
    public void A_definitions_names_and_seeds_are_checked_naming_the_file_and_key(string from, string to, string key)
    {
        using var temp = new TempDir();
        var path = temp.File("fmnist.json");
        var text = File.ReadAllText(Path.Combine(Repo, "experiments", "fmnist.json"));
        Assert.Contains(from, text);
        File.WriteAllText(path, text.Replace(from, to));
        var e = Assert.Throws<ConfigException>(() => ExperimentDefinition.Load(path));
        Assert.Equal(key, e.Key);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_reference_or_definition_name_cannot_leave_its_folder()
    {
        using var temp = new TempDir();
        var path = temp.File("quick.json");
        var text = File.ReadAllText(Path.Combine(Repo, "experiments", "quick.json"));
        File.WriteAllText(path, text.Replace("\"reference\": \"fmnist\"", "\"reference\": \"../../x\""));
        Assert.Equal("reference", Assert.Throws<ConfigException>(() => ExperimentDefinition.Load(path)).Key);
        Assert.Equal("definition", Assert.Throws<ConfigException>(() => ExperimentDefinition.LoadNamed("../experiments/quick")).Key);
        Assert.Equal("reference", Assert.Throws<ConfigException>(() => ReferenceResults.PathFor(Repo, "..")).Key);
    }

    /// <summary>`--set row=NAME` applied to the quick definition's three rows put them in one folder (the second was "already finished").</summary>
    [Fact]
    public void Renaming_every_row_of_a_several_row_experiment_is_refused()
    {
        var quick = ExperimentDefinition.LoadNamed("quick").ToExperiment();
        var e = Assert.Throws<ConfigException>(() => quick.With(["row=mine"]));
        Assert.Equal("row", e.Key);
        Assert.Contains("l2, no-l2, logitnorm", e.Message);
        Assert.Equal("mine", Assert.Single(quick.OnlyRows(["l2"]).With(["row=mine"]).Rows).Row);   // one row: a rename
    }

    /// <summary>The command, as a new user ran it: it trained into runs/x/a/ outside --out runs/x/a/b.</summary>
    [Fact]
    public void The_reported_command_writes_nothing_anywhere()
    {
        using var temp = new TempDir();
        var outDir = Path.Combine(temp.Path, "x", "a", "b");
        foreach (var args in new[]
                 {
                     new[] { "run", "--definition", "quick", "--seeds", "0", "--set", "row=..", "--out", outDir, "--device", "cpu" },
                     ["run", "--definition", "quick", "--rows", "l2", "--seeds", "0", "--set", "row=..", "--out", outDir, "--device", "cpu"],
                 })
        {
            using var run = ReproProcess.Start(args);
            Assert.Equal(1, run.Wait(TimeSpan.FromMinutes(1)));
            Assert.Single(run.Output.Split('\n'), l => l.StartsWith("error: config key 'row'"));
            Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
        }
    }

    /// <summary>A results folder whose row folder is a link elsewhere: the unit is refused before anything is written there.</summary>
    [Fact]
    public void A_run_does_not_follow_a_link_out_of_its_results_folder()
    {
        using var temp = new TempDir();
        var outside = Directory.CreateDirectory(temp.File("outside")).FullName;
        var results = Directory.CreateDirectory(temp.File("results")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(results, "l2"), outside);
        var experiment = new Experiment("tiny", "tiny", [TinyRun.Config() with { TrainSubset = 64, TestSubset = 100 }], [0]);
        var e = Assert.Throws<ReproException>(() => ExperimentRunner.Run(experiment, results, TinyRun.Data, _ => IProgressSink.Silent, _ => { }));
        Assert.Contains("outside", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.True(RealPathIsInside(results, Path.Combine(results, "x", "y")));
        Assert.False(RealPathIsInside(results, Path.Combine(results, "l2", "seed-0.partial")));
    }

    /// <summary>A row named like a file the results folder holds is refused as the run starts, before anything is written.</summary>
    [Fact]
    public void A_row_named_like_the_folders_own_files_is_refused_before_anything_is_written()
    {
        using var temp = new TempDir();
        foreach (var name in ResultsFolder.OwnFiles)
        {
            var experiment = new Experiment("tiny", "tiny", [TinyRun.Config() with { Row = name, TrainSubset = 64, TestSubset = 100 }], [0]);
            var e = Assert.Throws<ConfigException>(() => ExperimentRunner.Run(experiment, temp.Path, TinyRun.Data, _ => IProgressSink.Silent, _ => { }));
            Assert.Equal("row", e.Key);
            Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
        }
    }

    private static bool RealPathIsInside(string root, string path) => Platform.RealPath.IsInside(root, path);

    /// <summary>
    /// Merging refuses a unit filed under another unit's name, a unit holding a link, and a target reached through a link
    /// out of the merged folder — and the merged folder's own finished unit is untouched by every refusal.
    /// </summary>
    [Fact]
    public void A_merge_refuses_misfiled_and_linked_units_and_writes_only_inside()
    {
        using var temp = new TempDir();
        var results = temp.File("run");
        var experiment = new Experiment("tiny", "tiny", [TinyRun.Config() with { TrainSubset = 64, TestSubset = 100 }], [0]);
        ExperimentRunner.Run(experiment, results, TinyRun.Data, _ => IProgressSink.Silent, _ => { });
        var unit = Path.Combine(results, "l2", "seed-0");

        string Source(string name, Action<string> damage)
        {
            var source = temp.File(name);
            CopyTree(results, source);
            damage(source);
            return source;
        }
        var into = temp.File("into");
        CopyTree(results, into);
        var kept = Hashes(into);
        var outside = Directory.CreateDirectory(temp.File("outside")).FullName;

        var misfiled = Source("misfiled", s => Directory.Move(Path.Combine(s, "l2", "seed-0"), Path.Combine(s, "l2", "seed-7")));
        Assert.Contains("lives in l2/seed-0, not l2/seed-7", Assert.Throws<ReproException>(() => ResultsMerge.Merge(into, [misfiled], _ => { })).Message);

        var linked = Source("linked", s =>
        {
            Directory.Move(Path.Combine(s, "l2", "seed-0"), Path.Combine(s, "l2", "seed-0-real"));
            Directory.CreateDirectory(Path.Combine(s, "l2", "seed-0"));
            foreach (var f in Directory.EnumerateFiles(Path.Combine(s, "l2", "seed-0-real")))
                File.Copy(f, Path.Combine(s, "l2", "seed-0", Path.GetFileName(f)));
            File.CreateSymbolicLink(Path.Combine(s, "l2", "seed-0", "extra.csv"), "/etc/hostname");
            Directory.Delete(Path.Combine(s, "l2", "seed-0-real"), recursive: true);
        });
        Assert.Contains("is a symbolic link", Assert.Throws<ReproException>(() => ResultsMerge.Merge(temp.File("fresh"), [linked], _ => { })).Message);

        var target = temp.File("into-linked");
        Directory.CreateDirectory(target);
        Directory.CreateSymbolicLink(Path.Combine(target, "l2"), outside);
        Assert.Contains("outside", Assert.Throws<ReproException>(() => ResultsMerge.Merge(target, [results], _ => { })).Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));

        Assert.Equal(kept, Hashes(into));
        Assert.True(Directory.Exists(unit));
    }

    /// <summary>One PNG and, in a subfolder, a link to its parent: read as 41 images before; one now, and other links once each.</summary>
    [Fact]
    public void An_image_folder_is_read_once_per_real_file_whatever_its_links()
    {
        using var temp = new TempDir();
        var root = Directory.CreateDirectory(temp.File("images")).FullName;
        Data.ImageFiles.WriteGrey(Path.Combine(root, "a.png"), new byte[28 * 28], 28, 28);
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        Directory.CreateSymbolicLink(Path.Combine(root, "sub", "up"), "..");
        Assert.Equal(["a.png"], ImageFolder.Load(root, 1, 28).Paths);

        // A second name for the same file counts once; a folder outside is followed; a link to nowhere is skipped, named.
        File.CreateSymbolicLink(Path.Combine(root, "b.png"), Path.Combine(root, "a.png"));
        var elsewhere = Directory.CreateDirectory(temp.File("elsewhere")).FullName;
        Data.ImageFiles.WriteGrey(Path.Combine(elsewhere, "c.png"), new byte[28 * 28], 28, 28);
        Directory.CreateSymbolicLink(Path.Combine(root, "sub", "there"), elsewhere);
        Directory.CreateSymbolicLink(Path.Combine(root, "sub", "again"), elsewhere);
        File.CreateSymbolicLink(Path.Combine(root, "gone.png"), Path.Combine(root, "nothing.png"));
        var folder = ImageFolder.Load(root, 1, 28);
        Assert.Equal(["a.png", "sub/again/c.png"], folder.Paths);
        Assert.Equal("gone.png", Assert.Single(folder.Skipped).Path);
        Assert.Contains("cannot be read", folder.Skipped[0].Reason);
    }

    internal static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.EnumerateDirectories(from)) CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    internal static Dictionary<string, string> Hashes(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(dir, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));
}
