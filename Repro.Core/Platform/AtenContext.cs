using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Repro.Platform;

/// <summary>
/// libtorch's global ATen context (<c>at::globalContext()</c>), whose switches TorchSharp 0.107 does not wrap
/// (cudnn.benchmark, NNPACK), reached through libtorch's exported C++ (Itanium-ABI) symbols. They are C++ internals,
/// not a stable ABI: a symbol that is not there is reported, never a crash.
/// </summary>
public static unsafe class AtenContext
{
    public const string GlobalContextSymbol = "_ZN2at13globalContextEv";

    private static readonly Lazy<(nint Handle, string Description)> Library = new(Find);

    /// <summary>The address of <paramref name="symbol"/> in the libtorch TorchSharp runs on, or 0 with why in <paramref name="message"/>.</summary>
    public static nint Export(string symbol, out string message)
    {
        var (handle, description) = Library.Value;
        if (handle == 0) { message = description; return 0; }
        if (NativeLibrary.TryGetExport(handle, symbol, out var address)) { message = $"libtorch symbols through {description}"; return address; }
        message = $"{description} has no export {symbol}";
        return 0;
    }

    /// <summary>at::globalContext(): the object every switch is a member of; 0 when libtorch cannot be reached.</summary>
    public static nint Context(out string message)
    {
        var address = Export(GlobalContextSymbol, out message);
        return address == 0 ? 0 : ((delegate* unmanaged<nint>)address)();
    }

    private static (nint, string) Find()
    {
        // The switches live in the libtorch instance TorchSharp runs on; make sure that instance is loaded before looking.
        try { torch.TryInitializeDeviceType(DeviceType.CPU); }
        catch (Exception e) { return (0, $"TorchSharp's native libraries did not load: {e.Message}"); }

        var torchSharp = typeof(torch).Assembly;
        var failures = new List<string>();
        // LibTorchSharp first: a symbol lookup through a library's handle also searches its dependencies, so this
        // finds exactly the libtorch_cpu TorchSharp links against, wherever it came from (NuGet runtimes folder or
        // an external PyTorch install on LD_LIBRARY_PATH). A plain "libtorch_cpu.so" resolves to the already-loaded
        // library too, since the loader matches loaded libraries by soname.
        var candidates = new (string Name, Func<nint> Load)[]
        {
            ("LibTorchSharp", () => LoadFor("LibTorchSharp", torchSharp)),
            (TorchCpuFileName, () => NativeLibrary.TryLoad(TorchCpuFileName, out var h) ? h : 0),
            ("torch_cpu", () => LoadFor("torch_cpu", torchSharp)),
        };
        foreach (var (name, load) in candidates)
        {
            nint handle;
            try { handle = load(); }
            catch (Exception e) { failures.Add($"{name}: {e.Message}"); continue; }
            if (handle == 0) { failures.Add($"{name}: library not found"); continue; }
            if (!NativeLibrary.TryGetExport(handle, GlobalContextSymbol, out _)) { failures.Add($"{name}: no export {GlobalContextSymbol}"); continue; }
            return (handle, name);
        }
        return (0, $"libtorch's context not reachable: {string.Join("; ", failures)}");
    }

    private static nint LoadFor(string name, Assembly assembly) =>
        NativeLibrary.TryLoad(name, assembly, null, out var handle) ? handle : 0;

    private static string TorchCpuFileName =>
        OperatingSystem.IsWindows() ? "torch_cpu.dll" : OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : "libtorch_cpu.so";
}
