using System.Runtime.CompilerServices;

namespace Repro.Tests;

internal static class PinnedCpuFirst
{
    /// <summary>
    /// Repro.Core pins the CPU math libraries when it loads (Platform/ReproducibleCpu.cs); a test that touched TorchSharp
    /// before any Repro type would let them choose kernels unpinned, so the test assembly loads Repro.Core first.
    /// </summary>
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Run() => RuntimeHelpers.RunModuleConstructor(typeof(Platform.ReproducibleCpu).Module.ModuleHandle);
}
