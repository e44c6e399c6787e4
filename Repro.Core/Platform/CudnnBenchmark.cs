using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Repro.Platform;

/// <summary>
/// PyTorch's <c>torch.backends.cudnn.benchmark</c>, which TorchSharp 0.107 does not wrap: with it on, cuDNN times its
/// convolution algorithms once per input shape and keeps the fastest, instead of taking its heuristic's first choice.
/// Reached through libtorch's exported C++ (Itanium-ABI) symbols: <c>at::globalContext()</c> and the Context's
/// setter and getter. On a CPU build the flag is an unused field of the global Context, so setting it is harmless.
/// The symbols are C++ internals, not a stable ABI: every entry point fails soft (false or null, with a message)
/// so that a libtorch without them only loses the speed-up.
/// </summary>
public static unsafe class CudnnBenchmark
{
    public const string GlobalContextSymbol = "_ZN2at13globalContextEv";
    public const string SetterSymbol = "_ZN2at7Context17setBenchmarkCuDNNEb";
    public const string GetterSymbol = "_ZNK2at7Context14benchmarkCuDNNEv";

    // C++ bool is one byte (0 or 1) in the Itanium ABI; `byte` avoids the runtime's 4-byte Win32 BOOL marshalling.
    private sealed class Entry(nint globalContext, nint set, nint get)
    {
        public readonly delegate* unmanaged<nint> GlobalContext = (delegate* unmanaged<nint>)globalContext;
        public readonly delegate* unmanaged<nint, byte, void> Set = (delegate* unmanaged<nint, byte, void>)set;
        public readonly delegate* unmanaged<nint, byte> Get = (delegate* unmanaged<nint, byte>)get;
    }

    private static readonly Lazy<(Entry? Entry, string Message)> Resolved = new(Resolve);

    /// <summary>Turns cudnn.benchmark on; true when the flag reads back on. Never throws.</summary>
    public static bool TryEnable(out string message) => TrySet(true, out message);

    /// <summary>Sets cudnn.benchmark; true when the flag reads back as <paramref name="enabled"/>. Never throws.</summary>
    public static bool TrySet(bool enabled, out string message)
    {
        try
        {
            var (entry, why) = Resolved.Value;
            if (entry is null)
            {
                message = why;
                return false;
            }
            var context = entry.GlobalContext();
            entry.Set(context, enabled ? (byte)1 : (byte)0);
            var now = entry.Get(context) != 0;
            message = now == enabled
                ? $"cudnn.benchmark {(enabled ? "on" : "off")} ({why})"
                : $"cudnn.benchmark set to {enabled} through {SetterSymbol} but {GetterSymbol} reads {now}";
            return now == enabled;
        }
        catch (Exception e)
        {
            message = $"cudnn.benchmark not reachable: {e.GetType().Name}: {e.Message}";
            return false;
        }
    }

    /// <summary>The current cudnn.benchmark flag; null when libtorch's symbols are not reachable.</summary>
    public static bool? IsEnabled()
    {
        try
        {
            var entry = Resolved.Value.Entry;
            return entry is null ? null : entry.Get(entry.GlobalContext()) != 0;
        }
        catch (Exception)
        {
            return null;
        }
    }

    private static (Entry?, string) Resolve()
    {
        // The flag lives in the libtorch instance TorchSharp runs on; make sure that instance is loaded before looking.
        try { torch.TryInitializeDeviceType(DeviceType.CPU); }
        catch (Exception e) { return (null, $"TorchSharp's native libraries did not load: {e.Message}"); }

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
            if (handle == 0)
            {
                failures.Add($"{name}: library not found");
                continue;
            }
            var missing = new[] { GlobalContextSymbol, SetterSymbol, GetterSymbol }
                .Where(symbol => !NativeLibrary.TryGetExport(handle, symbol, out _)).ToArray();
            if (missing.Length > 0)
            {
                failures.Add($"{name}: no export {string.Join(", ", missing)}");
                continue;
            }
            var entry = new Entry(NativeLibrary.GetExport(handle, GlobalContextSymbol),
                NativeLibrary.GetExport(handle, SetterSymbol), NativeLibrary.GetExport(handle, GetterSymbol));
            return (entry, $"libtorch symbols through {name}");
        }
        return (null, $"cudnn.benchmark not reachable: {string.Join("; ", failures)}");
    }

    private static nint LoadFor(string name, Assembly assembly) =>
        NativeLibrary.TryLoad(name, assembly, null, out var handle) ? handle : 0;

    private static string TorchCpuFileName =>
        OperatingSystem.IsWindows() ? "torch_cpu.dll" : OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : "libtorch_cpu.so";
}
