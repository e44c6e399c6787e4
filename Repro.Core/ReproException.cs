namespace Repro;

/// <summary>An error meant for the user: its message alone says what went wrong and what to do, on one line. The CLI
/// prints it without a stack trace. A file name, key or value quoted from the user's input may hold line breaks or
/// other control characters: they are shown escaped (\u000a), so the message stays one line and says exactly what was there.</summary>
public class ReproException(string message, Exception? inner = null) : Exception(OneLine(message), inner)
{
    public static string OneLine(string text) =>
        text.Any(char.IsControl) ? string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())) : text;
}

/// <summary>A data file that is not what its format promises.</summary>
public sealed class DataFormatException(string file, string expected, string found)
    : ReproException($"{file}: expected {expected}, found {found}")
{
    public string File { get; } = file;
}

/// <summary>An invalid configuration value; names the key.</summary>
public sealed class ConfigException(string key, string problem)
    : ReproException($"config key '{key}': {problem}")
{
    public string Key { get; } = key;
    /// <summary>The message without its "config key" prefix, for a caller that adds where the key was.</summary>
    public string Problem { get; } = problem;
}

/// <summary>Training produced a non-finite loss or weight; names what and where.</summary>
public sealed class DivergenceException(int epoch, int step, string what)
    : ReproException($"training diverged: {what} at epoch {epoch}, step {step}; lower the learning rate or check the data")
{
    public int Epoch { get; } = epoch;
    public int Step { get; } = step;
    public string What { get; } = what;
}
