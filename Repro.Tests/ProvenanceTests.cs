using System.Text.RegularExpressions;
using Repro.Data;
using Repro.Runs;
using Xunit;

namespace Repro.Tests;

/// <summary>What a unit says it was made with: the checkout's commit, or the one a published build carries.</summary>
public class ProvenanceTests
{
    [Fact]
    public void The_commit_is_the_checkouts_and_a_build_without_a_checkout_names_its_own()
    {
        var repo = DataPaths.RepositoryRoot()!;
        Assert.Matches(new Regex("^[0-9a-f]{7,40}(-dirty)?$"), Provenance.Commit(repo));
        Assert.Equal("9dc9e81d0248", Provenance.Commit(repo, built: "9dc9e81d0248"));
        Assert.Equal("9dc9e81d0248", Provenance.Commit(null, built: "9dc9e81d0248"));
        Assert.Equal("unknown", Provenance.Commit(null));
        Assert.Equal("unknown", Provenance.Commit(Path.GetTempPath()));   // not a checkout
        Assert.Equal(Provenance.Commit(repo), Provenance.Versions()["commit"]);
    }
}
