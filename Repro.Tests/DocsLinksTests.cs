using System.Text.RegularExpressions;
using Repro.Data;
using Xunit;

namespace Repro.Tests;

/// <summary>
/// The README and docs/ link to each other and to files in the repository: every relative link must name a file that
/// exists and, with a #fragment, a heading that GitHub gives that anchor. The README stays a five-minute read.
/// </summary>
public partial class DocsLinksTests
{
    private static string Repo => DataPaths.RepositoryRoot()!;

    [Fact]
    public void Every_relative_link_in_the_readme_and_docs_resolves()
    {
        var pages = Directory.EnumerateFiles(Path.Combine(Repo, "docs"), "*.md").Append(Path.Combine(Repo, "README.md")).ToList();
        var broken = new List<string>();
        int links = 0;
        foreach (var page in pages)
        {
            var text = CodeBlock().Replace(File.ReadAllText(page), "");
            foreach (Match m in Link().Matches(text))
            {
                var target = m.Groups[1].Value;
                if (target.StartsWith("http://") || target.StartsWith("https://") || target.StartsWith("mailto:")) continue;
                links++;
                var (file, anchor) = target.Split('#', 2) is [var f, var a] ? (f, a) : (target, null);
                var path = file.Length == 0 ? page : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, file));
                if (!File.Exists(path) && !Directory.Exists(path)) broken.Add($"{Path.GetRelativePath(Repo, page)}: ({target}) — no such file");
                else if (anchor is not null && !Anchors(path).Contains(anchor))
                    broken.Add($"{Path.GetRelativePath(Repo, page)}: ({target}) — no heading with that anchor in {Path.GetRelativePath(Repo, path)}");
            }
        }
        Assert.True(links > 50, $"only {links} links found: is the pattern right?");
        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }

    [Fact]
    public void The_readme_is_a_five_minute_read()
    {
        int lines = File.ReadAllLines(Path.Combine(Repo, "README.md")).Length;
        Assert.True(lines <= 250, $"README.md has {lines} lines; what it grew belongs in docs/");
    }

    /// <summary>GitHub's anchors for a page's headings: lower case, punctuation dropped (hyphens and underscores kept), spaces as hyphens.</summary>
    private static HashSet<string> Anchors(string markdown) =>
        File.ReadLines(markdown).Where(l => l.StartsWith('#'))
            .Select(l => Slug(l.TrimStart('#').Trim())).ToHashSet();

    internal static string Slug(string heading) =>
        string.Concat(heading.ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')).Replace(' ', '-');

    [Fact]
    public void Slugs_are_githubs()
    {
        Assert.Equal("faults-in-reprocorerunsunitfoldercs-step-by-step", Slug("Faults in `Repro.Core/Runs/UnitFolder.cs`, step-by-step"));
        Assert.Equal("the-fmnist-definition-measured-on-a-gpu", Slug("The `fmnist` definition, measured on a GPU"));
    }

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"```.*?```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
