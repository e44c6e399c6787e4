using System.CommandLine;
using Repro.Runs;

namespace Repro.Cli.Verbs;

/// <summary>`repro export UNIT`: a finished unit's trained weights for PyTorch (or any safetensors reader), with a JSON
/// sidecar describing the network (Runs/UnitExport.cs).</summary>
internal static class ExportVerb
{
    public static Command Create()
    {
        var unit = new Argument<string>("UNIT") { Description = "a finished unit's folder, <results>/<row>/seed-<n>" };
        var format = new Option<ExportFormat>("--format")
        {
            Description = "pytorch: torch.save's state_dict file (torch.load reads it); safetensors: Hugging Face's format",
            DefaultValueFactory = _ => ExportFormat.Pytorch,
            HelpName = "pytorch|safetensors",
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (Enum.TryParse<ExportFormat>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(text, out _)) return parsed;
                CommonOptions.Refuse(result, "--format", "pytorch or safetensors");
                return ExportFormat.Pytorch;
            },
        };
        var output = new Option<string?>("--out", "-o")
        {
            Description = "the weights file to write (default <row>-seed-<n>.pt or .safetensors in the current folder); the sidecar is FILE.json",
            HelpName = "FILE",
        };
        var command = new Command("export", "a finished unit's weights as a PyTorch state_dict or safetensors file, with a JSON sidecar describing the network")
            { unit, format, output };
        command.SetAction(parse =>
        {
            var unitDir = parse.GetValue(unit)!;
            var kind = parse.GetValue(format);
            var file = parse.GetValue(output) ?? UnitExport.DefaultFile(unitDir, kind);
            UnitExport.Write(unitDir, kind, file);
            Console.WriteLine($"weights: {Path.GetFullPath(file)} ({new FileInfo(file).Length:N0} bytes, {kind.ToString().ToLowerInvariant()})");
            Console.WriteLine($"sidecar: {Path.GetFullPath(UnitExport.SidecarPath(file))}");
            Console.WriteLine($"score it in PyTorch: python3 scripts/interop/score_pytorch.py {file} --images IMAGES.npy");
            return ExitCodes.Ok;
        });
        return command;
    }
}
