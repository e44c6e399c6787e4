namespace Repro.Runs;

/// <summary>
/// An exclusive claim on one unit across processes, so two runners pointed at the same results folder never train
/// the same unit. It is an OS record lock on a lock file (fcntl through FileStream.Lock on Unix), which the kernel
/// releases when the holder dies — a killed runner leaves no stale claim. Opening the file is separate from locking
/// it, so a read-only or full disk is an error, never mistaken for "claimed by someone else". Lock files live in &lt;results&gt;/.locks and are never deleted
/// (deleting a lock file that another process has open would let two holders lock different files).
/// </summary>
public sealed class UnitClaim : IDisposable
{
    public const string Folder = ".locks";
    private readonly FileStream stream;
    private UnitClaim(FileStream stream) => this.stream = stream;

    /// <summary>The claim, or null when another live process holds it.</summary>
    public static UnitClaim? TryAcquire(string resultsDir, string name)
    {
        var dir = Path.Combine(resultsDir, Folder);
        Directory.CreateDirectory(dir);
        var path = ResultsFolder.RequireInside(resultsDir, Path.Combine(dir, name + ".lock"));
        if (OperatingSystem.IsMacOS())
        {
            // No record locks on macOS in .NET: there FileShare.None is a flock, also dropped when the holder dies.
            try { return new UnitClaim(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)); }
            catch (IOException) when (File.Exists(path)) { return null; }
        }
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        try
        {
            stream.Lock(0, 1);
            return new UnitClaim(stream);
        }
        catch (IOException)
        {
            stream.Dispose();   // held by another process
            return null;
        }
    }

    /// <summary>Waits (polling) for a claim that is briefly held by others, e.g. the manifest's read-merge-write.</summary>
    public static UnitClaim Acquire(string resultsDir, string name, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (TryAcquire(resultsDir, name) is { } claim) return claim;
            if (clock.Elapsed > timeout)
                throw new ReproException($"{Path.Combine(resultsDir, Folder, name + ".lock")} has been held by another process for {timeout.TotalSeconds:F0} s");
            Thread.Sleep(50);
        }
    }

    public void Dispose() => stream.Dispose();
}
