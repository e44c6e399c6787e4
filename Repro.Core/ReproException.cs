namespace Repro;

/// <summary>An error meant for the user: its message alone says what went wrong and what to do. The CLI prints it
/// without a stack trace.</summary>
public class ReproException(string message, Exception? inner = null) : Exception(message, inner);

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
}

/// <summary>Training produced a non-finite loss or weight; names what and where.</summary>
public sealed class DivergenceException(int epoch, int step, string what)
    : ReproException($"training diverged: {what} at epoch {epoch}, step {step}; lower the learning rate or check the data")
{
    public int Epoch { get; } = epoch;
    public int Step { get; } = step;
    public string What { get; } = what;
}
