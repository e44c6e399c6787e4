using System.Text;

namespace Repro.Cli.Tables;

/// <summary>The plain-text tables the CLI prints: columns padded to their widest cell, two spaces apart, dashes under the header.</summary>
public static class TextTable
{
    public static void Append(StringBuilder sb, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var lines = rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Count).Select(i => lines.Max(l => l[i].Length)).ToArray();
        foreach (var (line, index) in lines.Select((l, i) => (l, i)))
        {
            sb.AppendLine(string.Join("  ", line.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
            if (index == 0) sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        }
    }
}
