namespace Repro.Platform;

/// <summary>
/// The rule for every name that becomes a folder or file name under a folder the harness owns — row names (a unit's
/// folder, its claim, its stack's checkpoint), definition names (experiments/NAME.json, runs/NAME-time),
/// reference names (artifacts/reference/NAME.json): one visible path segment of ASCII letters, digits, '-', '_' and
/// '.', not starting with '.' (so never "." or ".." and never hidden), at most <see cref="MaxLength"/> characters. A
/// name that breaks it would write outside its folder, over another name's files, or out of sight.
/// </summary>
public static class SafeName
{
    public const int MaxLength = 100;
    public const string Rule = "one visible path segment: ASCII letters, digits, '-', '_' and '.', not starting with '.', at most 100 characters";

    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxLength && name[0] != '.'
        && name.All(c => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '-' or '_' or '.');

    /// <summary>Returns the name, or throws naming the key (and the file, when given) and the rule.</summary>
    public static string Require(string? name, string key, string? file = null) =>
        IsValid(name) ? name! : throw new ConfigException(key, $"{(file is null ? "" : $"{file}: ")}must be {Rule}; got '{Printable(name)}'");

    /// <summary>The name as it can be shown in one line (control characters escaped, long names cut).</summary>
    private static string Printable(string? name)
    {
        if (name is null) return "(none)";
        var shown = string.Concat(name.Take(MaxLength + 20).Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
        return name.Length > MaxLength + 20 ? shown + $"… ({name.Length} characters)" : shown;
    }
}
