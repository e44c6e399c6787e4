using Repro.Training;
using Xunit;
using static TorchSharp.torch;

namespace Repro.Tests.Training;

/// <summary>The checkpoint's tensor file: exact round trip; damage and mismatches are errors naming the file and tensor.</summary>
[Collection(TorchCollection.Name)]
public class TensorFileTests
{
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void Round_trips_names_dtypes_shapes_and_bytes()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "t.tensors");
        using var a = randn(3, 4);
        using var b = arange(6, dtype: ScalarType.Int64).view(2, 3);
        using var c = randn(5).to_type(ScalarType.BFloat16);
        using var d = tensor(1.5f);   // 0-dimensional
        TensorFile.Write(path, [("a", a), ("b", b), ("c", c), ("d", d)]);

        var read = TensorFile.Read(path);
        try
        {
            Assert.Equal(["a", "b", "c", "d"], read.Keys);
            foreach (var (name, original) in new[] { ("a", a), ("b", b), ("c", c), ("d", d) })
            {
                Assert.Equal(original.dtype, read[name].dtype);
                Assert.Equal(original.shape, read[name].shape);
                Assert.True(Same(original, read[name]), name);
            }
        }
        finally { foreach (var t in read.Values) t.Dispose(); }
    }

    [Fact]
    public void A_truncated_or_foreign_file_is_an_error_naming_it()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "t.tensors");
        using var a = randn(64, 64);
        TensorFile.Write(path, [("a", a)]);
        var bytes = File.ReadAllBytes(path);

        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var truncated = Assert.Throws<DataFormatException>(() => TensorFile.Read(path));
        Assert.Contains(path, truncated.Message);
        Assert.Contains("'a'", truncated.Message);

        File.WriteAllBytes(path, bytes[..10]);
        Assert.Contains(path, Assert.Throws<DataFormatException>(() => TensorFile.Read(path)).Message);

        using (var other = new BinaryWriter(File.Create(path))) other.Write("TorchSharp module");   // e.g. an old model.bin
        Assert.Contains("expected a tensor file starting 'repro-tensors/1', found 'TorchSharp module'",
            Assert.Throws<DataFormatException>(() => TensorFile.Read(path)).Message);

        File.WriteAllText(path, "PK\u0003\u0004 not ours");
        Assert.Contains(path, Assert.Throws<DataFormatException>(() => TensorFile.Read(path)).Message);
    }

    [Fact]
    public void Copying_into_live_tensors_keeps_them_and_refuses_a_mismatch_by_name()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "t.tensors");
        using var saved = randn(2, 3);
        TensorFile.Write(path, [("w", saved)]);
        var read = TensorFile.Read(path);
        try
        {
            using var live = zeros(2, 3);
            var handle = live.Handle;
            TensorFile.CopyInto(path, read, [("w", live)]);
            Assert.True(Same(live, saved));
            Assert.Equal(handle, live.Handle);

            using var other = zeros(3, 2);
            var shape = Assert.Throws<DataFormatException>(() => TensorFile.CopyInto(path, read, [("w", other)]));
            Assert.Contains("'w' as Float32 [3, 2]", shape.Message);
            Assert.Contains("Float32 [2, 3]", shape.Message);
            Assert.Contains("tensor 'v'", Assert.Throws<DataFormatException>(() => TensorFile.CopyInto(path, read, [("w", live), ("v", live)])).Message);
            Assert.Contains("'w' besides them", Assert.Throws<DataFormatException>(() => TensorFile.CopyInto(path, read, [])).Message);
        }
        finally { foreach (var t in read.Values) t.Dispose(); }
    }
}
