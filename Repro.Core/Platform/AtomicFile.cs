using System.Diagnostics;

namespace Repro.Platform;

/// <summary>Writes that are all-or-nothing: a reader sees the old file or the whole new one, never a torn write.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string contents)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        RemoveOrphans(path);
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(contents);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        Platform.CrashPoint.Here("atomic.rename");
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Temporary files of writers that were killed before their rename (their process is gone).</summary>
    private static void RemoveOrphans(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        foreach (var temp in Directory.EnumerateFiles(dir, Path.GetFileName(path) + ".*.tmp"))
        {
            var pid = Path.GetFileName(temp)[(Path.GetFileName(path).Length + 1)..^".tmp".Length];
            if (int.TryParse(pid, out var id) && id != Environment.ProcessId && !Alive(id)) File.Delete(temp);
        }
    }

    private static bool Alive(int pid)
    {
        try { using var p = Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
    }
}
