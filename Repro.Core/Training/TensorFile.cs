using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>
/// Named tensors in one file (name, dtype, shape, raw bytes), read back on the CPU. Checkpoints use it rather than
/// TorchSharp's Module.load and Optimizer.load_state_dict: on CUDA, Module.load moves the module through the CPU, which
/// gives every parameter a new native handle — SGD keys its momentum by handle, so the next step or state lookup fails
/// (seen on an H100, 2026-11-27) — and the optimizer's loader puts restored momentum on the CPU. Restoring by copying
/// into the live tensors keeps them where they are.
/// </summary>
public static class TensorFile
{
    private const string Magic = "repro-tensors/1";

    public static void Write(string path, IEnumerable<(string Name, Tensor Value)> tensors)
    {
        var list = tensors.ToList();
        using var stream = File.Create(path);
        using var writer = new BinaryWriter(stream);
        writer.Write(Magic);
        writer.Write(list.Count);
        foreach (var (name, value) in list)
        {
            using var scope = NewDisposeScope();
            var cpu = value.detach().cpu().contiguous();
            writer.Write(name);
            writer.Write((int)cpu.dtype);
            writer.Write(cpu.shape.Length);
            foreach (var d in cpu.shape) writer.Write(d);
            var bytes = cpu.bytes;
            writer.Write((long)bytes.Length);
            writer.Write(bytes);
        }
    }

    /// <summary>Every tensor in the file, on the CPU (the caller disposes them). Damage is an error naming the file.</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, "a tensor file", "no such file");
        var result = new Dictionary<string, Tensor>();
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            var magic = reader.ReadString();
            if (magic != Magic) throw new DataFormatException(path, $"a tensor file starting '{Magic}'", $"'{magic}'");
            int count = reader.ReadInt32();
            for (int i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                var dtype = (ScalarType)reader.ReadInt32();
                var shape = new long[reader.ReadInt32()];
                for (int d = 0; d < shape.Length; d++) shape[d] = reader.ReadInt64();
                long length = reader.ReadInt64();
                if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
                    throw new DataFormatException(path, $"{length} bytes for tensor '{name}'", $"{reader.BaseStream.Length - reader.BaseStream.Position} left");
                var tensor = empty(shape, dtype);
                if (tensor.bytes.Length != length)
                {
                    tensor.Dispose();
                    throw new DataFormatException(path, $"{length} bytes for tensor '{name}' of shape [{string.Join(", ", shape)}]", "a different size");
                }
                tensor.bytes = reader.ReadBytes((int)length);
                result[name] = tensor;
            }
            return result;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or OverflowException)
        {
            foreach (var t in result.Values) t.Dispose();
            throw new DataFormatException(path, "a complete tensor file", $"{e.GetType().Name}: {e.Message}");
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies saved tensors into live ones of the same names, shapes and dtypes (the live ones keep their device and
    /// native handles); a missing, extra or misshapen tensor is an error naming the file and the tensor.
    /// </summary>
    public static void CopyInto(string path, IReadOnlyDictionary<string, Tensor> saved, IEnumerable<(string Name, Tensor Live)> live)
    {
        var names = new HashSet<string>();
        using var _ = no_grad();
        foreach (var (name, target) in live)
        {
            names.Add(name);
            if (!saved.TryGetValue(name, out var source)) throw new DataFormatException(path, $"tensor '{name}'", "none");
            if (!source.shape.SequenceEqual(target.shape) || source.dtype != target.dtype)
                throw new DataFormatException(path, $"'{name}' as {target.dtype} [{string.Join(", ", target.shape)}]",
                    $"{source.dtype} [{string.Join(", ", source.shape)}]");
            target.copy_(source);
        }
        if (saved.Keys.FirstOrDefault(k => !names.Contains(k)) is { } extra)
            throw new DataFormatException(path, "only the model's tensors", $"'{extra}' besides them");
    }
}
