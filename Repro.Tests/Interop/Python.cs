using System.Diagnostics;

namespace Repro.Tests.Interop;

/// <summary>The Python the interop tests run: the first of $REPRO_PYTHON, Debian's /usr/bin/python3 (where set-up installs
/// python3-torch and python3-torchvision) and python3 on PATH that imports every module asked for.</summary>
public static class Python
{
    public static string With(params string[] modules)
    {
        var candidates = new[] { Environment.GetEnvironmentVariable("REPRO_PYTHON"), "/usr/bin/python3", "python3" }.OfType<string>().Where(c => c.Length > 0);
        foreach (var candidate in candidates)
        {
            try
            {
                using var probe = Process.Start(new ProcessStartInfo(candidate, ["-c", $"import {string.Join(", ", modules)}"])
                    { RedirectStandardError = true, UseShellExecute = false })!;
                probe.StandardError.ReadToEnd();
                probe.WaitForExit();
                if (probe.ExitCode == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception) { }
        }
        throw new Xunit.Sdk.XunitException($"no Python with {string.Join(" and ", modules)}: ./setup.sh installs Debian's python3-torch and " +
                                           "python3-torchvision (or set REPRO_PYTHON to a python that imports them)");
    }

    /// <summary>Runs <paramref name="script"/> (a path under the repository) with <paramref name="arguments"/>; its stdout, or a failure with both streams.</summary>
    public static string Run(string python, string script, params string[] arguments)
    {
        var (exitCode, stdout, stderr) = Execute(python, script, arguments);
        Xunit.Assert.True(exitCode == 0, $"{Path.GetFileName(script)} failed ({exitCode}):\n{stdout}\n{stderr}");
        return stdout;
    }

    /// <summary>Runs <paramref name="script"/> to its end, whatever its exit code (3 minutes at most).</summary>
    public static (int ExitCode, string Stdout, string Stderr) Execute(string python, string script, params string[] arguments)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        Xunit.Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), $"{Path.GetFileName(script)} did not finish in 3 minutes");
        return (process.ExitCode, stdout.Result, stderr);
    }
}
