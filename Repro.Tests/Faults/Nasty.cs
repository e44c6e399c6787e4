using System.Text;
using System.Text.Json.Nodes;

namespace Repro.Tests.Faults;

/// <summary>
/// What the input fuzzers draw from: names and values that have broken path, parsing or number handling somewhere —
/// "..", absolute and hidden names, separators, control characters, non-ASCII, the longest names, numbers past every
/// type's range, the wrong JSON kind — mixed with valid ones, so both sides of every check are exercised.
/// </summary>
public static class Nasty
{
    public static readonly string[] Names =
    [
        "..", ".", "", " ", "../x", "../../etc", "a/b", "a\\b", "/etc", "/", "~", ".hidden", ".locks", "-rf", "--help", "a b",
        "a\nb", "a\tb", "a\u0000b", "é", "l2é", "💥", "CON", "a:b", "*", "?", "a..b", "...", new string('a', 100), new string('a', 101),
        new string('a', 300), "l2", "l2-60", "no-l2", "logitnorm", "x.y_z-1", "seed-0", "stack-0-1.partial", "experiment.json",
    ];

    public static readonly string[] Numbers =
    [
        "0", "-0", "1", "-1", "2", "3", "0.5", "-0.5", "1e-320", "1e308", "1e400", "-1e400", "2147483647", "2147483648", "-2147483649",
        "9223372036854775808", "1.0000000000000002", "15", "1024", "NaN", "Infinity",
    ];

    public static string Name(Random r) => r.Next(5) == 0 ? Junk(r) : Names[r.Next(Names.Length)];

    /// <summary>A short random string over characters that matter to paths and parsers.</summary>
    public static string Junk(Random r)
    {
        const string alphabet = "ab01./\\-_ ~*?:\n\t\"'[]{}=,é\u0000";
        var sb = new StringBuilder();
        for (int i = r.Next(0, 12); i > 0; i--) sb.Append(alphabet[r.Next(alphabet.Length)]);
        return sb.ToString();
    }

    /// <summary>A raw `--set` value or option value: a name, a number, a JSON literal of any kind, or junk.</summary>
    public static string Text(Random r) => r.Next(6) switch
    {
        0 or 1 => Name(r),
        2 or 3 => Numbers[r.Next(Numbers.Length)],
        4 => new[] { "true", "false", "null", "[]", "[1,2]", "[5,3]", "[-1]", "{}", "{\"a\":1}", "\"quoted\"", "[\"x\"]", "[1.5]" }[r.Next(12)],
        _ => Junk(r),
    };

    /// <summary>A JSON value of any kind, for a definition or bands file's fields.</summary>
    public static JsonNode? Json(Random r) => r.Next(8) switch
    {
        0 => JsonValue.Create(Name(r)),
        1 => double.TryParse(Numbers[r.Next(Numbers.Length)], System.Globalization.CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
            ? JsonValue.Create(d) : JsonValue.Create(r.Next(-3, 3)),
        2 => JsonValue.Create(r.Next(2) == 0),
        3 => null,
        4 => new JsonArray(),
        5 => new JsonArray(JsonValue.Create(r.Next(-2, 20)), JsonValue.Create(r.Next(-2, 20))),
        6 => new JsonObject { [Name(r)] = JsonValue.Create(1) },
        _ => JsonValue.Create(long.MaxValue),
    };
}
