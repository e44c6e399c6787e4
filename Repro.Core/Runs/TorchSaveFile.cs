using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using static TorchSharp.torch;

namespace Repro.Runs;

/// <summary>
/// A state_dict in the file format of PyTorch's torch.save (torch/serialization.py, _save; the zip layout of
/// caffe2/serialize/inline_container.h), which torch.load reads from PyTorch 1.6 on, `weights_only=True` included: a
/// zip archive, entries stored uncompressed under one top folder — `data.pkl`, a pickle (protocol 2) of an
/// OrderedDict name → tensor, each tensor rebuilt by torch._utils._rebuild_tensor_v2 from a persistent reference to
/// its storage; `data/&lt;key&gt;`, each storage's raw little-endian bytes; `version` ("3") and `byteorder`.
/// Written here because TorchSharp.PyBridge, which does this, does not restore from this machine's package source.
/// </summary>
public static class TorchSaveFile
{
    private const string Root = "archive";

    /// <summary>torch's legacy typed storage classes by dtype: what a pickle names to say a storage's element type.</summary>
    private static readonly Dictionary<ScalarType, string> StorageClass = new()
    {
        [ScalarType.Float32] = "FloatStorage", [ScalarType.Float64] = "DoubleStorage", [ScalarType.Float16] = "HalfStorage",
        [ScalarType.BFloat16] = "BFloat16Storage", [ScalarType.Int64] = "LongStorage", [ScalarType.Int32] = "IntStorage",
        [ScalarType.Int16] = "ShortStorage", [ScalarType.Int8] = "CharStorage", [ScalarType.Byte] = "ByteStorage",
        [ScalarType.Bool] = "BoolStorage",
    };

    public static void Write(string path, IEnumerable<(string Name, Tensor Value)> tensors)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the archive declares little-endian storages");
        var storages = new List<byte[]>();
        var pickle = new Pickle();
        pickle.Global("collections", "OrderedDict").EmptyTuple().Reduce().Mark();
        foreach (var (name, value) in tensors)
        {
            using var scope = NewDisposeScope();
            var cpu = value.detach().cpu().contiguous();
            if (!StorageClass.TryGetValue(cpu.dtype, out var storageClass))
                throw new ArgumentException($"'{name}': no torch storage type for {cpu.dtype}", nameof(tensors));
            string key = storages.Count.ToString();
            storages.Add(cpu.bytes.ToArray());
            pickle.String(name);
            pickle.Global("torch._utils", "_rebuild_tensor_v2").Mark()
                // the storage: a persistent id ('storage', type, key, location, element count) that torch.load resolves
                .Mark().String("storage").Global("torch", storageClass).String(key).String("cpu").Int(cpu.NumberOfElements).Tuple().PersistentId()
                .Int(0)                                                      // storage offset
                .Ints(cpu.shape).Ints(Strides(cpu.shape))
                .False()                                                     // requires_grad
                .Global("collections", "OrderedDict").EmptyTuple().Reduce()  // backward hooks
                .Tuple().Reduce();
        }
        pickle.SetItems().Stop();

        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create);
        Add(zip, "data.pkl", pickle.ToArray());
        for (int i = 0; i < storages.Count; i++) Add(zip, $"data/{i}", storages[i]);
        Add(zip, "version", "3\n"u8.ToArray());
        Add(zip, "byteorder", "little"u8.ToArray());
    }

    private static void Add(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry($"{Root}/{name}", CompressionLevel.NoCompression);
        using var s = entry.Open();
        s.Write(bytes);
    }

    /// <summary>C-order strides, in elements.</summary>
    private static long[] Strides(long[] shape)
    {
        var strides = new long[shape.Length];
        long step = 1;
        for (int d = shape.Length - 1; d >= 0; d--) { strides[d] = step; step *= shape[d]; }
        return strides;
    }

    /// <summary>The few opcodes of Python's pickle protocol 2 a state_dict needs (Lib/pickletools.py documents each).</summary>
    private sealed class Pickle
    {
        private readonly MemoryStream bytes = new();

        public Pickle() => bytes.Write([0x80, 2]);   // PROTO 2

        public Pickle Global(string module, string name) => Op('c').Ascii($"{module}\n{name}\n");
        public Pickle Mark() => Op('(');
        public Pickle Tuple() => Op('t');
        public Pickle EmptyTuple() => Op(')');
        public Pickle Reduce() => Op('R');
        public Pickle SetItems() => Op('u');
        public Pickle PersistentId() => Op('Q');
        public Pickle False() { bytes.WriteByte(0x89); return this; }
        public Pickle Stop() => Op('.');

        public Pickle String(string s)
        {
            var utf8 = Encoding.UTF8.GetBytes(s);
            Op('X');
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)utf8.Length);
            bytes.Write(length);
            bytes.Write(utf8);
            return this;
        }

        public Pickle Int(long value)
        {
            if (value is < int.MinValue or > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(value), value, "pickled as a 4-byte int");
            Op('J');
            Span<byte> v = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(v, (int)value);
            bytes.Write(v);
            return this;
        }

        public Pickle Ints(IEnumerable<long> values)
        {
            Mark();
            foreach (var v in values) Int(v);
            return Tuple();
        }

        public byte[] ToArray() => bytes.ToArray();

        private Pickle Op(char code) { bytes.WriteByte((byte)code); return this; }
        private Pickle Ascii(string s) { bytes.Write(Encoding.ASCII.GetBytes(s)); return this; }
    }
}
