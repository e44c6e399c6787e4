using PuppeteerSharp;
using Xunit;

namespace Repro.Tests.Report;

/// <summary>
/// Debian's chromium (installed by setup.sh), driven over the DevTools protocol by PuppeteerSharp — no browser
/// download. The flags are the ones measured to work on these machines (../shared/ENVIRONMENT.md): without the
/// background-networking ones Chromium floods refused connections.
/// </summary>
public static class Chromium
{
    public const string EnvironmentVariable = "REPRO_CHROMIUM";

    public static string Executable()
    {
        var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv)) return File.Exists(fromEnv) ? fromEnv
            : throw new InvalidOperationException($"${EnvironmentVariable} names {fromEnv}, which does not exist");
        var found = new[] { "chromium", "chromium-browser", "google-chrome" }
            .SelectMany(name => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(dir => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);
        // Not a skip: the report's browser test is part of the default run, so a missing browser is a failing set-up.
        return found ?? throw new Xunit.Sdk.XunitException(
            $"Chromium not found on PATH: run ./setup.sh (it installs Debian's chromium), or set ${EnvironmentVariable} to a Chromium/Chrome binary");
    }

    public static Task<IBrowser> Launch(string userDataDir) => Puppeteer.LaunchAsync(new LaunchOptions
    {
        ExecutablePath = Executable(),
        Headless = true,
        UserDataDir = userDataDir,
        Timeout = 60_000,
        Args =
        [
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
        ],
    });
}
