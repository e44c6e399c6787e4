using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Repro.Platform;

/// <summary>How the CPU math libraries choose their kernels in this process.</summary>
public enum CpuMode
{
    /// <summary>Every library pinned to the AVX2 baseline and a fixed intra-op thread count: the same seed gives the same numbers on every x86-64 CPU with AVX2.</summary>
    Reproducible,
    /// <summary>Each library takes the best kernels this CPU has and libtorch's own thread count: faster, numbers depend on the CPU.</summary>
    Native,
}

/// <summary>
/// The reproducible CPU mode. libtorch's ATen, oneDNN (convolutions) and MKL (matrix products) each pick kernels by
/// the CPU they find, and AVX-512 and AVX2 kernels sum in different orders: a seeded CPU run trained differently on
/// the two kinds of EPYC here from its first epoch (and on one AVX-512 type oneDNN's AVX-512 kernels computed wrong
/// input gradients for 8-channel convolutions, the test models' width: the tiny test run's loss went NaN at step 2).
/// Each library reads its own environment variable once, when it first runs a kernel, from the native environment —
/// which .NET's Environment.SetEnvironmentVariable does not change on Linux — so the pins go in with libc's setenv when
/// Repro.Core loads, before any tensor exists. Which split of the work across threads a kernel uses changes its sums as
/// well, hence the fixed thread count. REPRO_CPU=native opts out.
/// </summary>
public static class ReproducibleCpu
{
    public const string ModeVariable = "REPRO_CPU";
    public const string ThreadsVariable = "REPRO_THREADS";
    /// <summary>The thread count the committed snapshots and the README's CPU numbers were made with (the 2-core machines here).</summary>
    public const int DefaultThreads = 2;
    public const string BaselineIsa = "AVX2";

    /// <summary>
    /// What each library reads and the value that holds it to AVX2. MKL's STRICT makes its results independent of
    /// memory alignment as well (on the tiny run: the same numbers as plain AVX2, 30.3 s vs 29.6 s).
    /// </summary>
    public static readonly IReadOnlyList<(string Variable, string Value)> Pins =
    [
        ("ATEN_CPU_CAPABILITY", "avx2"),
        ("ONEDNN_MAX_CPU_ISA", "AVX2"),
        ("MKL_CBWR", "AVX2,STRICT"),
    ];

    /// <summary>"ATEN_CPU_CAPABILITY=avx2, …": the pins as one would set them in a shell.</summary>
    private static string PinList => string.Join(", ", Pins.Select(p => $"{p.Variable}={p.Value}"));

    public static CpuMode Mode { get; private set; }

    private static ReproException? configurationError;

    /// <summary>The intra-op thread count this process trains with; null in native mode without REPRO_THREADS (libtorch decides).</summary>
    public static int? Threads { get; private set; }

    // CA2255 warns against module initializers in libraries; running before any caller's code is the point.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        // A module initializer that throws leaves the assembly unusable with an opaque TypeInitializationException:
        // on a bad setting keep the safe defaults and report it where training starts (EnsureApplied).
        try
        {
            Mode = ParseMode(Environment.GetEnvironmentVariable(ModeVariable));
            Threads = ResolveThreads(Mode, Environment.GetEnvironmentVariable(ThreadsVariable), Environment.GetEnvironmentVariable("OMP_NUM_THREADS"));
        }
        catch (ReproException e)
        {
            configurationError = e;
            (Mode, Threads) = (CpuMode.Reproducible, DefaultThreads);
        }
        if (!OperatingSystem.IsLinux()) return;   // EnsureApplied still fixes the thread count there
        try
        {
            if (Mode == CpuMode.Reproducible)
                foreach (var (variable, value) in Pins) SetNative(variable, value);
            if (Threads is { } n)
            {
                // libtorch sizes its OpenMP pool from these when it first runs in parallel; EnsureApplied sets it again.
                SetNative("OMP_NUM_THREADS", n.ToString());
                SetNative("MKL_NUM_THREADS", n.ToString());
            }
        }
        catch (ReproException e) { configurationError ??= e; }
    }

    public static CpuMode ParseMode(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "reproducible" => CpuMode.Reproducible,
        "native" => CpuMode.Native,
        _ => throw new ReproException($"{ModeVariable}='{value}': expected 'reproducible' (the default) or 'native'"),
    };

    /// <summary>REPRO_THREADS, else OMP_NUM_THREADS (as libtorch itself reads it), else the default in reproducible mode.</summary>
    public static int? ResolveThreads(CpuMode mode, string? reproThreads, string? ompThreads)
    {
        if (reproThreads is { Length: > 0 })
            return int.TryParse(reproThreads, out var n) && n >= 1
                ? n
                : throw new ReproException($"{ThreadsVariable}='{reproThreads}': expected a whole number of threads ≥ 1");
        if (int.TryParse(ompThreads, out var omp) && omp >= 1) return omp;
        return mode == CpuMode.Reproducible ? DefaultThreads : null;
    }

    /// <summary>
    /// Called where training and scoring start (the one training loop, the one scoring pass, the step benchmarks): switches
    /// NNPACK off in every mode (<see cref="Nnpack"/>), sets the thread count, and in
    /// reproducible mode checks that ATen really runs the baseline — it would not if libtorch had run a kernel before
    /// Repro.Core loaded. Oversight there would silently give machine-dependent numbers, so it is an error.
    /// </summary>
    public static void EnsureApplied()
    {
        if (configurationError is not null) throw configurationError;
        Nnpack.Disable();
        if (Threads is { } n && TorchSharp.torch.get_num_threads() != n) TorchSharp.torch.set_num_threads(n);
        if (Mode != CpuMode.Reproducible || !HasBaseline || !OperatingSystem.IsLinux()) return;
        var capability = AtenCapability();
        if (capability is not null && !capability.Equals(BaselineIsa, StringComparison.OrdinalIgnoreCase))
            throw new ReproException(
                $"reproducible CPU mode: libtorch runs {capability} kernels, not {BaselineIsa} — it was used before Repro.Core " +
                $"loaded and set ATEN_CPU_CAPABILITY; touch a Repro type first, or set {PinList} in the environment");
    }

    /// <summary>
    /// Refuses a width whose 3×3 convolutions the CPU's kernels get wrong (<see cref="WidthProblem"/>), before training
    /// starts on wrong gradients.
    /// </summary>
    public static void RequireSafeWidth(int width)
    {
        if (WidthProblem(width, Mode, VectorIsa()) is { } problem) throw new ConfigException("width", problem);
    }

    /// <summary>
    /// Why <paramref name="width"/> trains wrong in this kernel mode on a CPU with <paramref name="vectorIsa"/>, or null.
    /// Measured against an fp64 reference (libtorch 2.10, oneDNN 3.7.1, the 2-core AVX-512 EPYC, 2026-11-28; see
    /// docs/reproducible-cpu.md). Pinned to AVX2: outputs are wrong for 9–15, 17–23, … input channels and input
    /// gradients for fewer than 8 output channels (2 and 4 tested); a network of width w has 3×3 convolutions from and
    /// to w, 2w, 4w and 8w channels, all right only when w is a multiple of 8. Native on AVX-512: input gradients are
    /// 35–86 % off for 1, 4 and 8 channels (fewer than the 16 floats of its vector), right from 16 on.
    /// </summary>
    public static string? WidthProblem(int width, CpuMode mode, string vectorIsa) => mode switch
    {
        CpuMode.Reproducible when width % 8 != 0 =>
            $"{width} gives 3×3 convolutions of {width}, {2 * width}, {4 * width} and {8 * width} channels, some of " +
            $"which oneDNN's AVX2 kernels (the reproducible CPU mode's) compute wrong; use a multiple of 8, or {ModeVariable}=native " +
            "(docs/reproducible-cpu.md)",
        CpuMode.Native when vectorIsa == "AVX-512" && width < 16 =>
            $"{width} gives 3×3 convolutions of {width} channels, fewer than a vector of oneDNN's AVX-512 kernels holds " +
            $"({ModeVariable}=native on this CPU), whose input gradients come out wrong; use a width of at least 16, or the " +
            "default reproducible mode (docs/reproducible-cpu.md)",
        _ => null,
    };

    /// <summary>Sets this process's thread count (--workers splits the cores) and the one its child processes inherit.</summary>
    public static void SetThreads(int threads)
    {
        Threads = threads;
        Environment.SetEnvironmentVariable(ThreadsVariable, threads.ToString());   // for children started by .NET
        TorchSharp.torch.set_num_threads(threads);
    }

    /// <summary>Whether this CPU can run the baseline at all: without AVX2 and FMA the libraries fall back lower and the numbers are this machine's own.</summary>
    public static bool HasBaseline => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>The widest vector instruction set this CPU offers (what the libraries would pick in native mode).</summary>
    public static string VectorIsa() =>
        RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.X86) ? RuntimeInformation.ProcessArchitecture.ToString()
        : Avx512F.IsSupported ? "AVX-512"
        : Avx2.IsSupported ? "AVX2"
        : Avx.IsSupported ? "AVX"
        : "SSE";

    /// <summary>One line for provenance: what was pinned, or that nothing was.</summary>
    public static string Describe() => Mode switch
    {
        CpuMode.Native => $"native ({ModeVariable}=native: each library picks kernels for this CPU)",
        _ when !OperatingSystem.IsLinux() => "reproducible requested, but the kernel pins are applied on Linux only: numbers are this machine's own",
        _ when !HasBaseline => $"reproducible requested, but this CPU lacks {BaselineIsa}: numbers are this machine's own",
        _ => $"reproducible ({PinList})",
    };

    /// <summary>The CPU's model name and vector ISA, e.g. "AMD EPYC, AVX-512".</summary>
    public static string CpuName()
    {
        string? model = null;
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim();
        }
        catch (IOException) { }
        return $"{model ?? RuntimeInformation.ProcessArchitecture.ToString()}, {VectorIsa()}";
    }

    /// <summary>
    /// The kernel set ATen actually dispatches to ("AVX2", "AVX512", "DEFAULT"), read back from libtorch's
    /// at::get_cpu_capability — the check that the pin took effect. Null where the symbol is not found (another libtorch).
    /// Calling it fixes ATen's choice for the process, so it is only called after the pins are in place.
    /// </summary>
    public static unsafe string? AtenCapability()
    {
        _ = TorchSharp.torch.get_num_threads();   // loads libtorch
        if (!NativeLibrary.TryLoad("libtorch_cpu.so", out var library)
            || !NativeLibrary.TryGetExport(library, "_ZN2at18get_cpu_capabilityB5cxx11Ev", out var export))
            return null;
        // It returns a libstdc++ std::string by value: the caller passes the 32-byte object's address (hidden first
        // argument) and reads { char* data; size_t length; char local[16] }. The names are short enough to live in
        // `local` (no heap buffer to free); a longer one's buffer is read and left, once per process.
        var result = stackalloc byte[32];
        ((delegate* unmanaged<byte*, byte*>)export)(result);
        var data = *(byte**)result;
        var length = *(nuint*)(result + 8);
        return length > 64 ? null : System.Text.Encoding.ASCII.GetString(data, (int)length);
    }

    /// <summary>
    /// Into the native environment only: child processes started through .NET get .NET's own copy, so a child `repro`
    /// pins itself (or not, under REPRO_CPU=native) rather than inheriting this process's pins.
    /// </summary>
    private static void SetNative(string variable, string value)
    {
        if (setenv(variable, value, 1) != 0)
            throw new ReproException($"setenv({variable}) failed: the reproducible CPU mode cannot pin the math libraries");
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int setenv(string name, string value, int overwrite);
}
