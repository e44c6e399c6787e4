using System.Diagnostics;

namespace Repro.Platform;

/// <summary>
/// Named moments inside multi-file writes where the kill tests need a process to die: with
/// REPRO_CRASH_AT=&lt;name&gt;:&lt;k&gt; the k-th time (1-based) execution reaches <see cref="Here"/>(name), the process
/// SIGKILLs itself — a kill -9 landing exactly mid-write, which random timing would rarely hit. Unset (always, outside
/// those tests) it is a string comparison.
/// </summary>
public static class CrashPoint
{
    public const string EnvironmentVariable = "REPRO_CRASH_AT";
    private static readonly (string Name, int Hit)? Target = Parse(Environment.GetEnvironmentVariable(EnvironmentVariable));
    private static int hits;

    public static void Here(string name)
    {
        if (Target is not { } target || target.Name != name) return;
        if (Interlocked.Increment(ref hits) == target.Hit) Process.GetCurrentProcess().Kill();   // SIGKILL: no cleanup runs
    }

    private static (string, int)? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var parts = value.Split(':');
        return parts.Length == 2 && int.TryParse(parts[1], out var k) && k >= 1
            ? (parts[0], k)
            : throw new ConfigException(EnvironmentVariable, $"expected <point>:<k> with k ≥ 1, got '{value}'");
    }
}
