using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Repro.Runs;

/// <summary>
/// Hugging Face's safetensors format (github.com/huggingface/safetensors, its README "Format"): an 8-byte little-endian
/// header length N, N bytes of JSON — per tensor its dtype, shape and [begin, end) byte offsets into the data that
/// follows, plus an optional "__metadata__" map of strings — padded with spaces to a multiple of 8, then the tensors'
/// raw little-endian bytes, contiguous and in C order. The weights a finished unit keeps, and one of `repro export`'s formats.
/// </summary>
public static class SafetensorsFile
{
    private const string MetadataKey = "__metadata__";

    private static readonly Dictionary<ScalarType, string> Names = new()
    {
        [ScalarType.Float32] = "F32", [ScalarType.Float64] = "F64", [ScalarType.Float16] = "F16", [ScalarType.BFloat16] = "BF16",
        [ScalarType.Int64] = "I64", [ScalarType.Int32] = "I32", [ScalarType.Int16] = "I16", [ScalarType.Int8] = "I8",
        [ScalarType.Byte] = "U8", [ScalarType.Bool] = "BOOL",
    };

    /// <summary>Writes <paramref name="tensors"/> in their order (any device; copied to the CPU) with string metadata.</summary>
    public static void Write(string path, IEnumerable<(string Name, Tensor Value)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian");
        var blobs = new List<byte[]>();
        var header = new JsonObject();
        if (metadata is { Count: > 0 }) header[MetadataKey] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        long offset = 0;
        foreach (var (name, value) in tensors)
        {
            if (name == MetadataKey || header.ContainsKey(name)) throw new ArgumentException($"tensor name '{name}' is reserved or repeated", nameof(tensors));
            using var scope = NewDisposeScope();
            var cpu = value.detach().cpu().contiguous();
            if (!Names.TryGetValue(cpu.dtype, out var dtype)) throw new ArgumentException($"'{name}': safetensors has no dtype for {cpu.dtype}", nameof(tensors));
            var bytes = cpu.bytes.ToArray();
            blobs.Add(bytes);
            header[name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(cpu.shape.Select(d => (JsonNode?)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.LongLength),
            };
            offset += bytes.LongLength;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(json);
        for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (var blob in blobs) stream.Write(blob);
    }

    /// <summary>Every tensor of the file on the CPU, in the file's order (the caller disposes them), and its metadata.
    /// Anything that is not a well-formed safetensors file is an error naming the file and what was wrong.</summary>
    public static (List<(string Name, Tensor Value)> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, "a safetensors file", "no such file");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new DataFormatException(path, "an 8-byte header length", $"a {bytes.Length}-byte file");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8))
            throw new DataFormatException(path, $"a {headerLength}-byte JSON header", $"{bytes.Length - 8} bytes after the length");
        int dataStart = 8 + (int)headerLength;
        JsonObject header;
        try
        {
            header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength)) as JsonObject
                     ?? throw new DataFormatException(path, "a JSON object as header", "another JSON value");
        }
        catch (JsonException e) { throw new DataFormatException(path, "a JSON header", $"invalid JSON: {e.Message}"); }

        var metadata = new Dictionary<string, string>();
        var tensors = new List<(string, Tensor)>();
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == MetadataKey)
                {
                    foreach (var (key, value) in node as JsonObject ?? throw new DataFormatException(path, "__metadata__ as an object of strings", node?.ToJsonString() ?? "null"))
                        metadata[key] = value?.GetValue<string>() ?? "";
                    continue;
                }
                var entry = node as JsonObject ?? throw new DataFormatException(path, $"tensor '{name}' as an object", node?.ToJsonString() ?? "null");
                var dtypeName = entry["dtype"]?.GetValue<string>();
                var dtype = Names.FirstOrDefault(kv => kv.Value == dtypeName);
                if (dtypeName is null || dtype.Value is null) throw new DataFormatException(path, $"a known dtype for '{name}'", $"'{dtypeName}'");
                var shape = (entry["shape"] as JsonArray ?? throw new DataFormatException(path, $"a shape for '{name}'", "none"))
                    .Select(d => d!.GetValue<long>()).ToArray();
                var offsets = (entry["data_offsets"] as JsonArray ?? throw new DataFormatException(path, $"data_offsets for '{name}'", "none"))
                    .Select(d => d!.GetValue<long>()).ToArray();
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > bytes.Length - dataStart)
                    throw new DataFormatException(path, $"'{name}' inside the {bytes.Length - dataStart} data bytes", $"offsets [{string.Join(", ", offsets)}]");
                var tensor = empty(shape, dtype.Key);
                tensors.Add((name, tensor));
                if (tensor.bytes.Length != offsets[1] - offsets[0])
                    throw new DataFormatException(path, $"{tensor.bytes.Length} bytes for '{name}' ({dtypeName} [{string.Join(", ", shape)}])",
                        $"{offsets[1] - offsets[0]}");
                tensor.bytes = bytes.AsSpan(dataStart + (int)offsets[0], (int)(offsets[1] - offsets[0]));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
        {
            foreach (var (_, t) in tensors) t.Dispose();
            throw new DataFormatException(path, "a safetensors header (dtype, shape, data_offsets per tensor)", $"{e.GetType().Name}: {e.Message}");
        }
        catch
        {
            foreach (var (_, t) in tensors) t.Dispose();
            throw;
        }
        return (tensors, metadata);
    }
}
