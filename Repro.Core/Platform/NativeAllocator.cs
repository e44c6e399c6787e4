using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Repro.Platform;

/// <summary>
/// glibc's malloc serves buffers above its mmap threshold with fresh mmap/munmap calls and trims the heap top after
/// each free. libtorch frees and reallocates its multi-megabyte activation and gradient buffers every step, so by
/// default every CPU step pays page faults and zeroing for them (high sys time). Raising both thresholds keeps the
/// buffers in the heap for reuse; measured here, a width-16 ResNet18 step ran 2.3–3.3× faster
/// (Repro.Benchmarks TrainStep). The threshold stops at glibc's 32 MiB cap, and CIFAR's first-stage activations at
/// batch 128 are 33.5 MB, so mmap is also switched off (M_MMAP_MAX = 0): every buffer then comes from the heap and
/// stays there. That took Table 1's L2 60 CPU step from 24–28 to 38–40 img/s and its page faults from 1.8 M to
/// 0.47 M per run (docs/performance.md). Placement does not touch arithmetic: libtorch aligns every tensor to 64
/// bytes itself, and the snapshot tests hold. Applied once per process when Repro.Core loads — before any tensor
/// exists — unless REPRO_MALLOC_TUNING=0.
/// </summary>
public static class NativeAllocator
{
    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_THRESHOLD = -3;
    private const int M_MMAP_MAX = -4;
    /// <summary>glibc caps the mmap threshold at half its 64 MiB heap size: 32 MiB is the largest it accepts.</summary>
    public const int MmapThresholdBytes = 32 * 1024 * 1024;
    public const int TrimThresholdBytes = 512 * 1024 * 1024;
    public const string DisableVariable = "REPRO_MALLOC_TUNING";

    /// <summary>Whether the thresholds were raised in this process (false off glibc or when disabled).</summary>
    public static bool Tuned { get; private set; }

    // CA2255 warns against module initializers in libraries; here running before any caller's code is the point.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        if (Environment.GetEnvironmentVariable(DisableVariable) == "0") return;
        Tune();
    }

    public static bool Tune()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            Tuned = mallopt(M_MMAP_THRESHOLD, MmapThresholdBytes) == 1 & mallopt(M_TRIM_THRESHOLD, TrimThresholdBytes) == 1
                & mallopt(M_MMAP_MAX, 0) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Tuned = false;   // not glibc (e.g. musl): nothing to tune
        }
        return Tuned;
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int param, int value);
}
