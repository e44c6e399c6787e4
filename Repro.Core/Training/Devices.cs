using static TorchSharp.torch;

namespace Repro.Training;

public static class Devices
{
    /// <summary>Resolves a config's device string; "auto" = CUDA when libtorch sees a GPU, else CPU.</summary>
    public static Device Resolve(string name)
    {
        if (name == "auto") return cuda.is_available() ? CUDA : CPU;
        if (name.StartsWith("cuda") && !cuda.is_available())
            throw new ConfigException("device", $"'{name}' requested but libtorch sees no CUDA device (this build uses the CPU libtorch)");
        return new Device(name);
    }

    /// <summary>A human description for run records: the GPU name or "CPU (n threads)".</summary>
    public static string Describe(Device device) =>
        device.type == TorchSharp.DeviceType.CUDA ? $"CUDA device {device.index}" : $"CPU ({get_num_threads()} threads, {Environment.ProcessorCount} cores)";
}
