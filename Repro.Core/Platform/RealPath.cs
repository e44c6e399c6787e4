using System.Runtime.InteropServices;

namespace Repro.Platform;

/// <summary>
/// A path with every symbolic link, "." and ".." resolved (libc's realpath), for the two questions links make hard:
/// is a folder we are about to write into really inside the folder it belongs to, and has a folder or file been seen
/// before under another name. .NET resolves one link at a time only.
/// </summary>
public static class RealPath
{
    /// <summary>The resolved path of an existing file or folder, or null when it does not exist (or a link dangles or loops).</summary>
    public static string? Of(string path)
    {
        var resolved = realpath(path, 0);
        if (resolved == 0) return null;
        try { return Marshal.PtrToStringUTF8(resolved); }
        finally { free(resolved); }
    }

    /// <summary>
    /// Where writing <paramref name="path"/> would land: its nearest existing ancestor resolved, the rest appended (a
    /// path not yet created is judged by where it would be created). Null when a link on the way dangles or loops.
    /// </summary>
    public static string? ForWriting(string path)
    {
        var rest = new Stack<string>();
        var existing = Path.GetFullPath(path);
        string? real;
        while ((real = Of(existing)) is null)
        {
            if (new FileInfo(existing).LinkTarget is not null) return null;
            var parent = Path.GetDirectoryName(existing);
            if (parent is null) return null;
            rest.Push(Path.GetFileName(existing));
            existing = parent;
        }
        return Path.Combine([real, .. rest]);
    }

    /// <summary>Whether writing <paramref name="path"/> lands inside <paramref name="root"/> (both resolved).</summary>
    public static bool IsInside(string root, string path)
    {
        var realRoot = ForWriting(root);
        var target = ForWriting(path);
        return realRoot is not null && target is not null
               && (target == realRoot || target.StartsWith(realRoot.TrimEnd('/') + "/", StringComparison.Ordinal));
    }

    [DllImport("libc", SetLastError = true)]
    private static extern nint realpath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, nint resolved);

    [DllImport("libc")]
    private static extern void free(nint pointer);
}
