using System.Buffers.Binary;
using System.Text;
using Repro.Runs;
using Repro.Tests.Training;
using Xunit;
using static TorchSharp.torch;

namespace Repro.Tests.RunFiles;

/// <summary>The safetensors layout byte by byte (header length, JSON, 8-byte padding, contiguous data) and its reader's errors.</summary>
[Collection(TorchCollection.Name)]
public class SafetensorsFileTests
{
    [Fact]
    public void Tensors_are_written_as_the_format_lays_them_out_and_read_back()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "m.safetensors");
        using var weight = tensor(new float[] { 1, -2, 3.5f, 0 }).view(2, 2);
        using var steps = tensor(7L);
        SafetensorsFile.Write(path, [("fc.weight", weight), ("bn.num_batches_tracked", steps)], new Dictionary<string, string> { ["row"] = "l2" });

        var bytes = File.ReadAllBytes(path);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        var header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength).TrimEnd(' ');
        Assert.Equal("{\"__metadata__\":{\"row\":\"l2\"},\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}," +
                     "\"bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[16,24]}}", header);
        Assert.Equal(8 + headerLength + 16 + 8, bytes.Length);
        Assert.Equal(-2f, BitConverter.ToSingle(bytes, 8 + (int)headerLength + 4));
        Assert.Equal(7L, BitConverter.ToInt64(bytes, 8 + (int)headerLength + 16));

        var (tensors, metadata) = SafetensorsFile.Read(path);
        Assert.Equal("l2", metadata["row"]);
        Assert.Equal(["fc.weight", "bn.num_batches_tracked"], tensors.Select(t => t.Name));
        Assert.Equal([1f, -2f, 3.5f, 0f], tensors[0].Value.data<float>().ToArray());
        Assert.Equal(7L, tensors[1].Value.item<long>());
        foreach (var (_, t) in tensors) t.Dispose();
    }

    [Fact]
    public void A_tensor_whose_offsets_do_not_match_its_shape_is_an_error_naming_the_file_and_tensor()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "bad.safetensors");
        var json = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}");
        var bytes = new byte[8 + json.Length + 8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<DataFormatException>(() => SafetensorsFile.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("12 bytes for 'w'", error.Message);
    }

    [Fact]
    public void A_header_longer_than_the_file_is_an_error()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "short.safetensors");
        var bytes = new byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1000);
        File.WriteAllBytes(path, bytes);
        Assert.Contains("1000-byte JSON header", Assert.Throws<DataFormatException>(() => SafetensorsFile.Read(path)).Message);
    }
}
