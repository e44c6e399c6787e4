namespace Repro.Data;

/// <summary>Where data sets live: $REPRO_DATA if set, else data/ at the repository root, else ~/.local/share/repro/data.</summary>
public static class DataPaths
{
    public const string EnvironmentVariable = "REPRO_DATA";

    public static string Root()
    {
        var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv)) return Path.GetFullPath(fromEnv);
        var repo = RepositoryRoot();
        return repo is not null
            ? Path.Combine(repo, "data")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "repro", "data");
    }

    /// <summary>The nearest folder holding Repro.sln, searching up from the working directory then the binaries.</summary>
    public static string? RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Repro.sln"))) return dir.FullName;
        return null;
    }
}
