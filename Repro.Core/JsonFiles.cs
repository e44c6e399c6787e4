using System.Text.Json;
using System.Text.Json.Serialization;

namespace Repro;

/// <summary>
/// How every JSON file the harness writes and reads is spelled: camelCase keys, kebab-case enums (no numbers for them),
/// indented, and an unknown key refused rather than ignored — a typo in a definition or config must not silently fall
/// back to a default.
/// </summary>
public static class JsonFiles
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        // Files people read and diff in reviews: "–", "±" and "'" as themselves, not \u escapes (none is embedded in HTML).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
    };
}
