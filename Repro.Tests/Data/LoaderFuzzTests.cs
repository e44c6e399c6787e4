using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Repro.Data;
using Xunit;

namespace Repro.Tests.Data;

/// <summary>
/// Seeded fuzzing of the four loaders (issue 6, "Nothing lost"): a few hundred truncated, bit-flipped, oversized and
/// lying-header variants of small valid files per format. Each must either load to a self-consistent set or give one
/// <see cref="ReproException"/> naming the damaged file — never another exception type, a hang, or an allocation far
/// beyond anything the file holds. A failure names the format, case number, case seed and mutation, so it can be
/// replayed alone.
/// </summary>
public class LoaderFuzzTests(ITestOutputHelper output)
{
    // REPRO_FUZZ_SEED and REPRO_FUZZ_CASES run a longer or different search; the defaults are what CI runs.
    private static readonly int Seed = EnvInt("REPRO_FUZZ_SEED") ?? 20261126, CasesPerFormat = EnvInt("REPRO_FUZZ_CASES") ?? 300;
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The valid files are at most ~30 KB decoded; the one legitimately large input (48 MiB of zeros inside a
    /// compressed stream) must be refused without inflating it all, so no case has a reason to allocate this much.</summary>
    private const long AllocationLimit = 32L << 20;

    private const int BombBytes = 48 << 20;

    private static int? EnvInt(string name) => int.TryParse(Environment.GetEnvironmentVariable(name), out var v) ? v : null;

    // ---------------------------------------------------------------- the four formats

    [Fact]
    public void Idx_files_load_or_fail_clearly()
    {
        var fixtures = new[]
        {
            IdxFixture("idx-raw", gzipImages: false, gzipLabels: false, [0, 9, 4]),
            IdxFixture("idx-gz", gzipImages: true, gzipLabels: true, [0, 1, 2, 3, 4]),
            IdxFixture("idx-mixed", gzipImages: true, gzipLabels: false, [7]),
        };
        // Lies no random mutation is likely to hit: a dimension product that wraps to the data length in 64 bits, a
        // gzip stream far longer than its header declares, and a raw file that happens to start with the gzip magic.
        var raw = fixtures[0];
        var crafted = new List<Case>
        {
            new(raw, 0, IdxFile.Encode(IdxFile.ImagesMagic, [1 << 30, 1 << 30, 16], []),
                "crafted: images dimensions 2^30×2^30×16 (2^64: the product wraps to 0) and no data"),
            new(fixtures[1], 0, Gzip([.. fixtures[1].Files[0].Parts[0].Plain, .. new byte[BombBytes]]),
                $"crafted: gzip stream with {BombBytes >> 20} MiB of zeros after the declared data"),
            new(raw, 0, [0x1f, 0x8b, .. raw.Files[0].Bytes()], "crafted: raw images file prefixed with the gzip magic"),
        };
        Fuzz("IDX", 1, fixtures, crafted);
    }

    [Fact]
    public void Cifar_binary_files_load_or_fail_clearly()
    {
        var fixtures = new[]
        {
            CifarFixture("cifar10-test", CifarBinary.Cifar10, [Path.Combine(DataCatalog.Cifar10Folder, "test_batch.bin")], [[[9], [0], [4]]],
                root => DataCatalog.LoadCifar10(root, Split.Test, checkCounts: false)),
            CifarFixture("cifar10-train", CifarBinary.Cifar10,
                Enumerable.Range(1, 5).Select(b => Path.Combine(DataCatalog.Cifar10Folder, $"data_batch_{b}.bin")).ToArray(),
                Enumerable.Range(1, 5).Select(b => new[] { new[] { (byte)(2 * b - 2) }, [(byte)(2 * b - 1)] }).ToArray(),
                root => DataCatalog.LoadCifar10(root, Split.Train, checkCounts: false)),
            CifarFixture("cifar100-train", CifarBinary.Cifar100Fine, [Path.Combine(DataCatalog.Cifar100Folder, "train.bin")], [[[19, 99], [0, 42], [7, 0]]],
                root => DataCatalog.LoadCifar100(root, Split.Train, checkCounts: false)),
            CifarFixture("cifar10-counted", CifarBinary.Cifar10, ["batch.bin"], [[[1], [2], [3]]],
                root => CifarBinary.Read("cifar10", CifarBinary.Cifar10, [Path.Combine(root, "batch.bin")], recordsPerFile: 3)),
        };
        Fuzz("CIFAR binary", 2, fixtures, []);
    }

    [Fact]
    public void Svhn_mat_files_load_or_fail_clearly()
    {
        const int n = 3;
        var x = new byte[n * 3 * 32 * 32];
        for (int i = 0; i < x.Length; i++) x[i] = (byte)(i * 7 % 251);
        double[] y = [10, 1, 9];
        var fixtures = new[]
        {
            SvhnFixture("svhn-plain", [MatPart(Uint8Matrix("X", [32, 32, 3, n], x), false), MatPart(DoubleMatrix("y", [n, 1], y, false), false)]),
            SvhnFixture("svhn-compressed", [MatPart(Uint8Matrix("X", [32, 32, 3, n], x), true), MatPart(DoubleMatrix("y", [n, 1], y, false), true)]),
            // As MATLAB writes SVHN: compressed, y a double array stored as miUINT8 (here a small data element).
            SvhnFixture("svhn-matlab", [MatPart(Uint8Matrix("X", [32, 32, 3, n], x), true), MatPart(DoubleMatrix("y", [n, 1], y, true), true)]),
            // One image (MATLAB drops the trailing 1), X as doubles, and a variable the reader skips.
            SvhnFixture("svhn-double", [MatPart(DoubleMatrix("meta", [1, 2], [1.5, 2.5], false), false),
                MatPart(DoubleMatrix("X", [32, 32, 3], x[..3072].Select(b => (double)b).ToArray(), false), true),
                MatPart(DoubleMatrix("y", [1, 1], [4], false), false)]),
        };
        var huge = Uint8Matrix("X", [int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue], x);
        var crafted = new List<Case>
        {
            new(fixtures[0], 0, Mat(huge, false), "crafted: X declared int.MaxValue^4 (past any integer type), 9 KB of data"),
            new(fixtures[1], 0, Mat(huge, true), "crafted: the same lie inside a compressed element"),
            new(fixtures[1], 0, Mat([.. Uint8Matrix("X", [32, 32, 3, n], x), .. new byte[BombBytes]], true),
                $"crafted: compressed element with {BombBytes >> 20} MiB of zeros after the declared matrix"),
        };
        Fuzz("SVHN .mat", 3, fixtures, crafted);

        byte[] Mat(byte[] matrix, bool compress) =>
            [.. new MatFileWriter().ToBytes(), .. compress ? MatFileWriter.Compressed(matrix) : matrix, .. MatFileWriter.Compressed(DoubleMatrix("y", [n, 1], y, false))];
    }

    [Fact]
    public void Mnist_json_files_load_or_fail_clearly()
    {
        var fixtures = new[] { JsonFixture("mnist-json-1", 1, compact: true), JsonFixture("mnist-json-2", 2, compact: false) };
        Fuzz("MNIST JSON", 4, fixtures, []);
    }

    // ---------------------------------------------------------------- the fuzzing loop

    /// <summary>A mutated file of a fixture: everything else in the fixture stays valid.</summary>
    private sealed record Case(Fixture Fixture, int File, byte[] Bytes, string What);

    private sealed record Tally(int Tried, int Loaded, int Rejected)
    {
        public Tally Add(bool loaded) => new(Tried + 1, Loaded + (loaded ? 1 : 0), Rejected + (loaded ? 0 : 1));
        public override string ToString() => $"{Tried} tried, {Loaded} loaded, {Rejected} rejected";
    }

    private void Fuzz(string format, int formatIndex, Fixture[] fixtures, List<Case> crafted)
    {
        var clock = Stopwatch.StartNew();
        using var dir = new TempDir();
        foreach (var fixture in fixtures)
        foreach (var file in fixture.Files)
        {
            var path = Path.Combine(dir.Path, fixture.Name, file.RelativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, file.Bytes());
        }
        // The unmutated fixtures must load, or every "rejected" below would mean nothing.
        foreach (var fixture in fixtures) Assert.Null(fixture.Inconsistency(fixture.Load(Path.Combine(dir.Path, fixture.Name))));

        var random = new Random(Seed + formatIndex);
        var cases = crafted.Select(c => (Label: "crafted", Seed: 0, Case: c))
            .Concat(Enumerable.Range(0, CasesPerFormat).Select(_ =>
            {
                int seed = random.Next();
                var (kind, c) = Mutate(new Random(seed), fixtures, textual: format == "MNIST JSON");
                return (Label: kind, Seed: seed, Case: c);
            }));

        var total = new Tally(0, 0, 0);
        var byKind = new SortedDictionary<string, Tally>();
        var failures = new List<string>();
        int index = 0;
        foreach (var (kind, seed, c) in cases)
        {
            var root = Path.Combine(dir.Path, c.Fixture.Name);
            var file = c.Fixture.Files[c.File];
            var path = Path.Combine(root, file.RelativePath);
            var name = $"{format} case {index++} (seed {seed}, {c.Fixture.Name}, {file.RelativePath}, {c.Bytes.Length} bytes): {c.What}";
            File.WriteAllBytes(path, c.Bytes);
            (ImageSet? Set, Exception? Error, long Allocated)? result;
            try { result = Run(() => c.Fixture.Load(root)); }
            finally { File.WriteAllBytes(path, file.Bytes()); }

            if (result is not { } r)
            {
                failures.Add($"{name}: did not finish within {CaseTimeout.TotalSeconds} s");
                break;   // the hung load still holds the folder; later cases would not be independent
            }
            if (r.Allocated > AllocationLimit)
                failures.Add($"{name}: allocated {r.Allocated >> 20} MiB, more than {AllocationLimit >> 20} MiB");
            if (r.Set is { } set)
            {
                if (c.Fixture.Inconsistency(set) is { } problem) failures.Add($"{name}: loaded an inconsistent set: {problem}");
            }
            else if (r.Error is not ReproException)
                failures.Add($"{name}: threw {r.Error!.GetType().Name} ({r.Error.Message}), not a ReproException");
            else if (!r.Error.Message.Contains(path))
                failures.Add($"{name}: the error does not name {path}: {r.Error.Message}");

            bool loaded = r.Set is not null;
            if (kind == "crafted") output.WriteLine($"{name}: {(loaded ? "loaded" : r.Error!.Message)}");
            total = total.Add(loaded);
            byKind[kind] = byKind.GetValueOrDefault(kind, new Tally(0, 0, 0)).Add(loaded);
        }

        output.WriteLine($"{format}: {total} in {clock.Elapsed.TotalSeconds:0.0} s (seed {Seed + formatIndex})");
        foreach (var (kind, tally) in byKind) output.WriteLine($"  {kind,-14} {tally}");
        Assert.True(failures.Count == 0, $"{failures.Count} of {total.Tried} {format} cases failed:\n" + string.Join("\n", failures.Take(25)));
        Assert.True(total.Tried >= CasesPerFormat);
    }

    /// <summary>The load on a pool thread, so a hang is a failure rather than a stuck test run; null when it did not
    /// finish in time. Allocation is counted on that thread only: other test classes run alongside.</summary>
    private static (ImageSet? Set, Exception? Error, long Allocated)? Run(Func<ImageSet> load)
    {
        var task = Task.Run(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            ImageSet? set = null;
            Exception? error = null;
            try { set = load(); }
            catch (Exception e) { error = e; }
            return (set, error, GC.GetAllocatedBytesForCurrentThread() - before);
        });
        return task.Wait(CaseTimeout) ? task.Result : null;
    }

    // ---------------------------------------------------------------- mutations

    private sealed record Mutator(string Kind, int Weight, Func<Random, FixtureFile, (byte[] Bytes, string What)?> Apply);

    private static readonly Mutator[] BinaryMutators =
    [
        new("truncate", 6, Truncate),
        new("truncate-in", 2, TruncateInside),
        new("flip", 6, (rng, f) => Flip(rng, f.Bytes(), 0, int.MaxValue, "anywhere")),
        new("flip-start", 3, (rng, f) => Flip(rng, f.Bytes(), 0, 32, "in the first 32 bytes")),
        new("flip-header", 3, FlipHeader),
        new("flip-field", 4, FlipField),
        new("lie", 6, (rng, f) => Lie(rng, f, 1)),
        new("lie-many", 2, (rng, f) => Lie(rng, f, 2 + rng.Next(3))),
        new("append", 4, Append),
        new("append-in", 2, AppendInside),
        new("splice", 4, Splice),
        new("empty", 1, (_, _) => ([], "zero-length file")),
    ];

    private static readonly Mutator[] TextMutators = [.. BinaryMutators, new("json", 10, JsonText)];

    private static (string Kind, Case Case) Mutate(Random rng, Fixture[] fixtures, bool textual)
    {
        var mutators = textual ? TextMutators : BinaryMutators;
        var fixture = fixtures[rng.Next(fixtures.Length)];
        int file = rng.Next(fixture.Files.Length);
        while (true)
        {
            int pick = rng.Next(mutators.Sum(m => m.Weight));
            var mutator = mutators.First(m => (pick -= m.Weight) < 0);
            if (mutator.Apply(rng, fixture.Files[file]) is { } mutant)
                return (mutator.Kind, new Case(fixture, file, mutant.Bytes, $"{mutator.Kind}: {mutant.What}"));
        }
    }

    private static (byte[], string)? Truncate(Random rng, FixtureFile file)
    {
        var bytes = file.Bytes();
        // A third of the cuts fall in the first 160 bytes: every header here (MAT's 128 + first tag) lies within them.
        int at = rng.Next(3) == 0 ? rng.Next(Math.Min(bytes.Length, 160)) : rng.Next(bytes.Length);
        return (bytes[..at], $"cut to {at} of {bytes.Length} bytes");
    }

    /// <summary>A well-formed compressed stream whose content is cut short.</summary>
    private static (byte[], string)? TruncateInside(Random rng, FixtureFile file)
    {
        var encoded = file.Parts.Select((p, i) => (p, i)).Where(x => x.p.Encoding != "").ToArray();
        if (encoded.Length == 0) return null;
        var (part, index) = encoded[rng.Next(encoded.Length)];
        int at = rng.Next(part.Plain.Length);
        return (file.Bytes(index, part.Plain[..at]), $"the {part.Encoding} content of part {index} cut to {at} of {part.Plain.Length} bytes");
    }

    private static (byte[], string) Flip(Random rng, byte[] bytes, int from, int length, string where)
    {
        length = Math.Min(length, bytes.Length - from);
        if (length <= 0) return (bytes, "no bits flipped (nothing there)");
        int bits = 1 + rng.Next(8);
        var flipped = new List<string>();
        for (int i = 0; i < bits; i++)
        {
            int at = from + rng.Next(length), bit = rng.Next(8);
            bytes[at] ^= (byte)(1 << bit);
            flipped.Add($"{at}.{bit}");
        }
        return (bytes, $"{bits} bit(s) flipped {where} (byte.bit {string.Join(", ", flipped)})");
    }

    /// <summary>Bits flipped in a part's header before it is encoded, so a compressed header still inflates.</summary>
    private static (byte[], string)? FlipHeader(Random rng, FixtureFile file)
    {
        int index = rng.Next(file.Parts.Length);
        var part = file.Parts[index];
        var (plain, what) = Flip(rng, part.Plain.ToArray(), 0, part.HeaderLength, $"in the header of part {index}");
        return (file.Bytes(index, plain), what + (part.Encoding != "" ? $", then {part.Encoding}-encoded" : ""));
    }

    private static (byte[], string)? FlipField(Random rng, FixtureFile file)
    {
        var fields = file.AllFields().ToArray();
        if (fields.Length == 0) return null;
        var (index, field, encoded) = fields[rng.Next(fields.Length)];
        if (encoded)
        {
            int at = file.EncodedOffset(index) + field.Offset;
            return Flip(rng, file.Bytes(), at, field.Width, $"in {field.Name} of part {index}");
        }
        var (plain, what) = Flip(rng, file.Parts[index].Plain.ToArray(), field.Offset, field.Width, $"in {field.Name} of part {index}");
        return (file.Bytes(index, plain), what);
    }

    /// <summary>One or more size, type or dimension fields of one part set to a lying value (huge, negative as
    /// signed, zero, off by one, larger than the file).</summary>
    private static (byte[], string)? Lie(Random rng, FixtureFile file, int count)
    {
        var fields = file.AllFields().ToArray();
        if (fields.Length == 0) return null;
        int index = fields[rng.Next(fields.Length)].Part;
        var mine = fields.Where(f => f.Part == index).ToArray();
        var part = file.Parts[index];
        var plain = part.Plain.ToArray();
        var encodedLies = new List<(Field, uint)>();
        var what = new List<string>();
        long fileLength = file.Bytes().Length;
        for (int i = 0; i < count; i++)
        {
            var (_, field, encoded) = mine[rng.Next(mine.Length)];
            uint value = LyingValue(rng, field, encoded ? 0 : field.Read(plain), fileLength);
            if (encoded) encodedLies.Add((field, value));
            else field.Write(plain, value);
            what.Add($"{field.Name} = {value} (0x{value:X})");
        }
        var bytes = file.Bytes(index, plain);
        foreach (var (field, value) in encodedLies) field.Write(bytes.AsSpan(file.EncodedOffset(index)), value);
        return (bytes, $"part {index}: {string.Join(", ", what)}");
    }

    private static uint LyingValue(Random rng, Field field, uint original, long fileLength)
    {
        uint[] candidates = field.Width switch
        {
            1 => [0, 0xFF, original + 1, original ^ 0x80, 9, 10, 99, 100, (uint)rng.Next(256)],
            2 => [0, 0xFFFF, 0x8000, original + 1, original ^ 0x100, (uint)rng.Next(65536)],
            _ => [int.MaxValue, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFF0, 0, 1, original + 1, original - 1, original * 2, original << 8,
                  1 << 30, (uint)fileLength, (uint)fileLength + 8, (uint)rng.Next()],
        };
        return candidates[rng.Next(candidates.Length)];
    }

    private static (byte[], string)? Append(Random rng, FixtureFile file)
    {
        var bytes = file.Bytes();
        switch (rng.Next(3))
        {
            case 0:
                var garbage = new byte[1 + rng.Next(4096)];
                rng.NextBytes(garbage);
                return ([.. bytes, .. garbage], $"{garbage.Length} random bytes appended");
            case 1:
                int zeros = 1 + rng.Next(4096);
                return ([.. bytes, .. new byte[zeros]], $"{zeros} zero bytes appended");
            default:
                return ([.. bytes, .. bytes], "the file appended to itself");
        }
    }

    /// <summary>Bytes added at the end of one part before it is encoded: inside a compressed stream, or (for a plain
    /// part in the middle) between two elements. Now and then a compressed part gets 48 MiB of zeros, a stream far
    /// longer than anything its header declares.</summary>
    private static (byte[], string)? AppendInside(Random rng, FixtureFile file)
    {
        int index = rng.Next(file.Parts.Length);
        var part = file.Parts[index];
        if (part.Encoding != "" && rng.Next(6) == 0)
            return (file.Bytes(index, [.. part.Plain, .. new byte[BombBytes]]), $"{BombBytes >> 20} MiB of zeros added inside the {part.Encoding} stream of part {index}");
        var garbage = new byte[1 + rng.Next(512)];
        if (rng.Next(2) == 0) rng.NextBytes(garbage);
        return (file.Bytes(index, [.. part.Plain, .. garbage]), $"{garbage.Length} bytes added at the end of part {index}" +
                                                              (part.Encoding != "" ? $" inside its {part.Encoding} stream" : ""));
    }

    /// <summary>A span cut out of the middle, or repeated.</summary>
    private static (byte[], string)? Splice(Random rng, FixtureFile file)
    {
        var bytes = file.Bytes();
        if (bytes.Length < 2) return null;
        int from = rng.Next(bytes.Length - 1), length = 1 + rng.Next(Math.Min(bytes.Length - from - 1, rng.Next(2) == 0 ? 16 : 4096));
        return rng.Next(2) == 0
            ? ([.. bytes[..from], .. bytes[(from + length)..]], $"bytes {from}..{from + length} removed")
            : ([.. bytes[..(from + length)], .. bytes[from..]], $"bytes {from}..{from + length} repeated");
    }

    private static readonly string[] NumberLies =
    [
        "1e999", "-1e999", "-0.5", "1.5", "1.0001", "NaN", "Infinity", "null", "true", "\"0.5\"", "0.5.5", "1" + new string('0', 400),
        "0." + new string('3', 5000), "-0", "1e-400", "{}", "[]", "", "0x1F", "+0.5", ".5", "01", "5e-1", "0.5,", "[0.5]",
    ];

    /// <summary>Edits that keep a JSON file text: wrong number tokens, nesting past any limit, wrong keys and roots,
    /// one value too many, invalid UTF-8, another encoding, trailing content.</summary>
    private static (byte[], string)? JsonText(Random rng, FixtureFile file)
    {
        var text = Encoding.UTF8.GetString(file.Bytes());
        var numbers = Regex.Matches(text, @"-?\d+(\.\d+)?([eE][-+]?\d+)?");
        var number = numbers[rng.Next(numbers.Count)];
        string Replace(string with) => text[..number.Index] + with + text[(number.Index + number.Length)..];
        byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
        switch (rng.Next(8))
        {
            case 0:
                var lie = NumberLies[rng.Next(NumberLies.Length)];
                return (Utf8(Replace(lie)), $"value {number.Value} at character {number.Index} replaced by {Abbreviate(lie)}");
            case 1:
                int depth = rng.Next(2) == 0 ? 65 + rng.Next(100) : 100_000;
                return (Utf8(Replace(new string('[', depth) + "0.5" + new string(']', depth))), $"a value nested {depth} arrays deep");
            case 2:
                int extra = rng.Next(2) == 0 ? 1 + rng.Next(3) : 784;
                var values = string.Join("", Enumerable.Repeat(",0.5", extra));
                return (Utf8(Replace(number.Value + values)), $"{extra} value(s) inserted after character {number.Index}");
            case 3:
                string[] keys = ["\"dat\"", "\"DATA\"", "\"data\\u0000\"", "\"\"", "\"data\":{\"x\":0},\"y\""];
                var key = keys[rng.Next(keys.Length)];
                return (Utf8(text.Replace("\"data\"", key)), $"key \"data\" replaced by {key}");
            case 4:
                string[] roots = ["[" + text + "]", "{\"data\":{}}", "{\"data\":null}", "{\"data\":[]}", "\"data\"", "null", text + text,
                                  "{\"data\":[0.5],\"data\":" + text[text.IndexOf('[')..]];
                int r = rng.Next(roots.Length);
                return (Utf8(roots[r]), $"root variant {r}: {Abbreviate(roots[r])}");
            case 5:
                byte[][] invalid = [[0xFF], [0xC3], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x00]];
                var bad = invalid[rng.Next(invalid.Length)];
                var bytes = file.Bytes();
                int at = rng.Next(bytes.Length + 1);
                return ([.. bytes[..at], .. bad, .. bytes[at..]], $"byte(s) {Convert.ToHexString(bad)} inserted at {at}");
            case 6:
                return rng.Next(2) == 0
                    ? ([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)], "re-encoded as UTF-16 with a byte-order mark")
                    : ([.. Encoding.UTF8.GetPreamble(), .. Utf8(text)], "a UTF-8 byte-order mark prefixed");
            default:
                string[] tails = ["{}", ", ]", "\0", "]", " // comment", "\n{\"data\":[0.5]}"];
                var tail = tails[rng.Next(tails.Length)];
                return (Utf8(text + tail), $"{Abbreviate(tail)} appended");
        }
    }

    private static string Abbreviate(string s) => s.Length <= 40 ? $"'{s}'" : $"'{s[..20]}…' ({s.Length} characters)";

    // ---------------------------------------------------------------- fixtures

    /// <summary>An integer field (1, 2 or 4 bytes) that a lying header would change.</summary>
    private sealed record Field(string Name, int Offset, int Width, bool BigEndian)
    {
        public uint Read(ReadOnlySpan<byte> bytes) => Width switch
        {
            1 => bytes[Offset],
            2 => BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes[Offset..]) : BinaryPrimitives.ReadUInt16LittleEndian(bytes[Offset..]),
            _ => BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes[Offset..]) : BinaryPrimitives.ReadUInt32LittleEndian(bytes[Offset..]),
        };

        public void Write(Span<byte> bytes, uint value)
        {
            switch (Width)
            {
                case 1: bytes[Offset] = (byte)value; break;
                case 2:
                    if (BigEndian) BinaryPrimitives.WriteUInt16BigEndian(bytes[Offset..], (ushort)value);
                    else BinaryPrimitives.WriteUInt16LittleEndian(bytes[Offset..], (ushort)value);
                    break;
                default:
                    if (BigEndian) BinaryPrimitives.WriteUInt32BigEndian(bytes[Offset..], value);
                    else BinaryPrimitives.WriteUInt32LittleEndian(bytes[Offset..], value);
                    break;
            }
        }
    }

    /// <summary>A piece of a file: its plain bytes, how it is stored ("" as it is, "gzip", "zlib" for a miCOMPRESSED
    /// element), the fields of the plain bytes and of the stored form, and how long its header is.</summary>
    private sealed record Part(byte[] Plain, string Encoding, Field[] Fields, Field[] EncodedFields, int HeaderLength)
    {
        public byte[] Encode(byte[] plain) => Encoding switch
        {
            "gzip" => Gzip(plain),
            "zlib" => MatFileWriter.Compressed(plain),
            _ => plain,
        };
    }

    private sealed record FixtureFile(string RelativePath, Part[] Parts)
    {
        public byte[] Bytes() => Parts.SelectMany(p => p.Encode(p.Plain)).ToArray();

        /// <summary>The file with part <paramref name="index"/>'s plain bytes replaced.</summary>
        public byte[] Bytes(int index, byte[] plain) => Parts.SelectMany((p, i) => p.Encode(i == index ? plain : p.Plain)).ToArray();

        public int EncodedOffset(int index) => Parts.Take(index).Sum(p => p.Encode(p.Plain).Length);

        public IEnumerable<(int Part, Field Field, bool Encoded)> AllFields() =>
            Parts.SelectMany((p, i) => p.Fields.Select(f => (i, f, false)).Concat(p.EncodedFields.Select(f => (i, f, true))));
    }

    /// <summary>Files that load together, the load, and what a loaded set must satisfy (null when it does).</summary>
    private sealed record Fixture(string Name, FixtureFile[] Files, Func<string, ImageSet> Load, Func<ImageSet, string?> Inconsistency);

    /// <summary>What every loaded set must be: the data set's shape and classes, pixels for exactly its images, labels
    /// in range.</summary>
    private static Func<ImageSet, string?> Consistent(DatasetInfo info) => set =>
    {
        if ((set.Channels, set.Height, set.Width, set.NumClasses) != (info.Channels, info.Side, info.Side, info.NumClasses))
            return $"shape {set.Channels}×{set.Height}×{set.Width} with {set.NumClasses} classes, not {info.Channels}×{info.Side}×{info.Side} with {info.NumClasses}";
        if (set.Pixels.LongLength != (double)set.Count * set.Channels * set.Height * set.Width)
            return $"{set.Pixels.LongLength} pixels for {set.Count} images";
        foreach (var label in set.Labels)
            if (label < 0 || label >= set.NumClasses) return $"label {label} outside 0..{set.NumClasses - 1}";
        return null;
    };

    private static byte[] Gzip(byte[] plain)
    {
        var stream = new MemoryStream();
        using (var gz = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(plain);
        return stream.ToArray();
    }

    private static Fixture IdxFixture(string name, bool gzipImages, bool gzipLabels, byte[] labels)
    {
        const int side = 28;
        var pixels = Enumerable.Range(0, labels.Length * side * side).Select(i => (byte)(i * 13 % 256)).ToArray();
        var images = IdxFile.Encode(IdxFile.ImagesMagic, [labels.Length, side, side], pixels);
        Field[] imageFields = [new("magic", 0, 4, true), new("image count", 4, 4, true), new("rows", 8, 4, true), new("columns", 12, 4, true)];
        var imagesFile = new FixtureFile("t10k-images-idx3-ubyte" + (gzipImages ? ".gz" : ""),
            [new Part(images, gzipImages ? "gzip" : "", imageFields, [], 16)]);
        var labelsFile = new FixtureFile("t10k-labels-idx1-ubyte" + (gzipLabels ? ".gz" : ""),
            [new Part(IdxFile.Encode(IdxFile.LabelsMagic, [labels.Length], labels), gzipLabels ? "gzip" : "",
                [new("magic", 0, 4, true), new("label count", 4, 4, true)], [], 8)]);
        var consistent = Consistent(DataCatalog.FashionMnist);
        return new Fixture(name, [imagesFile, labelsFile], root =>
        {
            // The reader on its own too: the pair loader's 28×28 check would hide a dimension product it got wrong.
            var direct = IdxFile.ReadImages(Path.Combine(root, imagesFile.RelativePath));
            if (direct.Pixels.LongLength != (double)direct.Count * direct.Rows * direct.Cols)
                throw new InvalidOperationException($"IdxFile.ReadImages gave {direct.Pixels.LongLength} pixels for {direct.Count}×{direct.Rows}×{direct.Cols}");
            return DataCatalog.LoadIdxPair(DataCatalog.FashionMnist, root, "t10k");
        }, consistent);
    }

    private static Fixture CifarFixture(string name, CifarBinary.Format format, string[] paths, byte[][][] labels, Func<string, ImageSet> load)
    {
        var files = paths.Select((p, f) =>
        {
            using var dir = new TempDir();
            CifarBinaryWriter.Write(dir.File("b"), format, labels[f], firstImage: 3 * f);
            var bytes = File.ReadAllBytes(dir.File("b"));
            var fields = Enumerable.Range(0, labels[f].Length)
                .SelectMany(r => Enumerable.Range(0, format.LabelBytes).Select(b => new Field($"label byte {b} of record {r}", r * format.RecordSize + b, 1, false)))
                .ToArray();
            return new FixtureFile(p, [new Part(bytes, "", fields, [], format.LabelBytes)]);
        }).ToArray();
        return new Fixture(name, files, load, Consistent(format == CifarBinary.Cifar10 ? DataCatalog.Cifar10 : DataCatalog.Cifar100));
    }

    private static Fixture SvhnFixture(string name, Part[] variables)
    {
        var header = new MatFileWriter().ToBytes();
        var headerPart = new Part(header, "", [new("version", 124, 2, false), new("endian indicator", 126, 2, false)], [], header.Length);
        var file = new FixtureFile(DataCatalog.SvhnTestFile, [headerPart, .. variables]);
        return new Fixture(name, [file], root => DataCatalog.LoadSvhn(root, Split.Test), Consistent(DataCatalog.Svhn));
    }

    private static byte[] Uint8Matrix(string name, int[] dims, byte[] values) =>
        MatFileWriter.Matrix(MatFile.MxUInt8Class, dims, name, MatFile.MiUInt8, values);

    private static byte[] DoubleMatrix(string name, int[] dims, double[] values, bool storeAsUInt8)
    {
        var data = storeAsUInt8 ? values.Select(v => (byte)v).ToArray() : new byte[8 * values.Length];
        if (!storeAsUInt8)
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(8 * i), values[i]);
        return MatFileWriter.Matrix(MatFile.MxDoubleClass, dims, name, storeAsUInt8 ? MatFile.MiUInt8 : MatFile.MiDouble, data);
    }

    /// <summary>A miMATRIX element as a part, with the tag, flag and dimension fields found by walking its
    /// sub-elements; its header runs to the real part's data.</summary>
    private static Part MatPart(byte[] matrix, bool compress)
    {
        var fields = new List<Field> { new("miMATRIX type", 0, 4, false), new("miMATRIX byte count", 4, 4, false) };
        string[] names = ["array flags", "dimensions", "name", "real part"];
        int at = 8, header = matrix.Length;
        for (int i = 0; at + 8 <= matrix.Length; i++)
        {
            var element = i < names.Length ? names[i] : $"element {i}";
            if (i == 3) header = at + 8;
            uint first = BinaryPrimitives.ReadUInt32LittleEndian(matrix.AsSpan(at));
            if (first >> 16 != 0)
            {
                fields.Add(new($"{element} small tag", at, 4, false));
                at += 8;
                continue;
            }
            int count = BinaryPrimitives.ReadInt32LittleEndian(matrix.AsSpan(at + 4));
            fields.Add(new($"{element} type", at, 4, false));
            fields.Add(new($"{element} byte count", at + 4, 4, false));
            if (i == 0) fields.Add(new("array class and flags", at + 8, 4, false));
            if (i == 1) for (int d = 0; d < count / 4; d++) fields.Add(new($"dimension {d}", at + 8 + 4 * d, 4, false));
            at += 8 + (count + 7) / 8 * 8;
        }
        Field[] encoded = compress ? [new("miCOMPRESSED type", 0, 4, false), new("miCOMPRESSED byte count", 4, 4, false)] : [];
        return new Part(matrix, compress ? "zlib" : "", [.. fields], encoded, header);
    }

    private static Fixture JsonFixture(string name, int imagesPerDigit, bool compact)
    {
        var files = Enumerable.Range(0, 10).Select(d =>
        {
            var values = Enumerable.Range(0, imagesPerDigit * 784)
                .Select(i => Math.Round((i * 7 + d) % 256 / 255.0, 3).ToString(CultureInfo.InvariantCulture));
            var text = compact ? $"{{\"data\":[{string.Join(",", values)}]}}" : $"{{ \"data\": [{string.Join(", ", values)}] }}\n";
            return new FixtureFile($"{d}.json", [new Part(Encoding.UTF8.GetBytes(text), "", [], [], text.IndexOf('[') + 1)]);
        }).ToArray();
        return new Fixture(name, files, root => MnistJson.Read(root), Consistent(DataCatalog.Mnist));
    }
}
