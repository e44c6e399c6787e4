using static TorchSharp.torch;

namespace Repro.Training;

public static class Devices
{
    /// <summary>Resolves a config's device string; "auto" = CUDA when libtorch sees a GPU, else CPU.</summary>
    public static Device Resolve(string name)
    {
        if (name == "auto") return CudaAvailable() ? CUDA : CPU;
        if (name.StartsWith("cuda") && !CudaAvailable())
            throw new ConfigException("device", $"'{name}' requested but libtorch sees no CUDA device (a CPU build? see the README's GPU section)");
        return new Device(name);
    }

    /// <summary>
    /// How many seeds of a row train as one stacked model when the run does not say (--stack): one on the CPU, where a
    /// stack saves no time, and one at large batches, which keep a GPU busy alone. Measured on an H200 (2026-11-28,
    /// artifacts/gpu/2026-11-28-h200/ratio.md, fp32): 8 seeds stacked trained 3.0× (spectral-norm ResNet18) and 1.4×
    /// (plain) the images per second of one at batch 128, but 0.89× and 0.76× at batch 1024. Cards other than
    /// H100/H200/A100 get 2 at small batches, unmeasured.
    /// </summary>
    public static int DefaultStack(Device device, int batchSize)
    {
        if (device.type != TorchSharp.DeviceType.CUDA || batchSize > 256) return 1;
        var card = CardName(Math.Max(0, (int)device.index)) ?? "";
        return card.Contains("H100") || card.Contains("H200") || card.Contains("A100") ? 8 : 2;
    }

    private static bool? cudaAvailable;

    /// <summary>
    /// Whether CUDA works. TorchSharp loads the CUDA backend only when asked (needed with an external libtorch such as
    /// PyTorch's); on a CPU build asking fails, which just means no.
    /// </summary>
    public static bool CudaAvailable()
    {
        if (cudaAvailable is { } known) return known;
        try { InitializeDeviceType(TorchSharp.DeviceType.CUDA); }
        catch (Exception e) when (e is not OutOfMemoryException) { }
        return (cudaAvailable = cuda.is_available()).Value;
    }

    /// <summary>A human description for run records: the GPU name, or the CPU's threads, cores, vector ISA and kernel mode.</summary>
    public static string Describe(Device device) =>
        device.type == TorchSharp.DeviceType.CUDA
            ? $"CUDA device {Math.Max(0, (int)device.index)}" + (CardName(Math.Max(0, (int)device.index)) is { } card ? $" ({card})" : "")
            : $"CPU ({get_num_threads()} threads, {Environment.ProcessorCount} cores, {Platform.ReproducibleCpu.VectorIsa()}; " +
              (Platform.ReproducibleCpu.Mode == Platform.CpuMode.Reproducible ? $"{Platform.ReproducibleCpu.BaselineIsa} kernels pinned)" : "native kernels)");

    /// <summary>
    /// The card's model as the NVIDIA driver reports it (e.g. "NVIDIA H100 80GB HBM3"), so recorded GPU times name the
    /// card; TorchSharp exposes no device-name call. Null when the driver's files are not there. The driver lists GPUs
    /// by PCI address, which is CUDA's default order.
    /// </summary>
    public static string? CardName(int index)
    {
        const string root = "/proc/driver/nvidia/gpus";
        try
        {
            var gpus = Directory.Exists(root) ? Directory.GetDirectories(root).Order(StringComparer.Ordinal).ToList() : [];
            if (index >= gpus.Count) return null;
            var model = File.ReadLines(Path.Combine(gpus[index], "information")).FirstOrDefault(l => l.StartsWith("Model:"));
            return model?["Model:".Length..].Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
