using SatSR.Models.Zoo;
using System.CommandLine;
using System.Globalization;
using SatSR.Cli.Terminal;
using SatSR.Inference;
using SatSR.Models;
using SatSR.Pipeline.Options;
using Spectre.Console;

namespace SatSR.Cli.Commands;

/// <summary><c>satsr models list|fetch|info|convert</c> and the resolution of <c>--model</c>.</summary>
internal static class ModelsCommand
{
    public const string DefaultModel = "satsr-sat-x4";

    /// <summary>
    /// SatSR's own model for <paramref name="scale"/> when <c>--model</c> names none: the native ×2 one at ×2 (it beat the
    /// ×4 one averaged to ×2 on every validation window, tools/train/choose-x2; docs/MODELS.md), the ×4 one otherwise.
    /// </summary>
    public static string DefaultModelFor(int? scale) => scale == 2 ? "satsr-sat-x2" : DefaultModel;

    /// <summary>The model <c>--model</c> names, else <see cref="DefaultModelFor"/> <paramref name="scale"/>.</summary>
    public static ModelDescriptor Resolve(ParseResult parse, int? scale) => Resolve(parse.GetValue(CommonOptions.Model) ?? DefaultModelFor(scale));

    private static readonly Argument<string> Name = new("NAME") { Description = "Zoo model name" };
    private static readonly Argument<string> ModelFile = new("MODEL") { Description = "Zoo name or model file (.pth, ncnn .param, .onnx)" };
    private static readonly Argument<string> OnnxOut = new("OUTPUT") { Description = "ONNX file to write" };
    private static readonly Option<bool> Overwrite = new("--overwrite") { Description = "Replace an existing output file" };

    public static ModelZoo Zoo() => new(ModelZoo.DefaultCacheDirectory);

    /// <summary>A zoo name or a model file → the model SatSR runs.</summary>
    public static ModelDescriptor Resolve(string nameOrPath) => Zoo().Resolve(nameOrPath);

    /// <summary>The model's scale; a plain .onnx states none, so one small tile is run on the CPU to measure it.</summary>
    private static int ScaleOf(ModelDescriptor model)
    {
        if (model.Scale is { } scale) return scale;
        var side = model.SizeRequirements.RoundUp(16);
        using var engine = InferenceEngine.Create(model, ExecutionDevice.Cpu, side, side, threads: 1);
        return engine.Scale;
    }

    public static Command Create(IAnsiConsole console, IAnsiConsole error)
    {
        var list = new Command("list", "Models SatSR knows by name");
        list.SetAction((parse, _) => ErrorRenderer.Guard(error, parse.GetValue(CommonOptions.Verbose), () =>
        {
            var zoo = Zoo();
            // No borders: rows stay plain lines in a log (Program widens a redirected output, so nothing wraps).
            var table = new Table().Border(TableBorder.None).AddColumns(new TableColumn("name").NoWrap(), new TableColumn("arch").NoWrap(), new TableColumn("scale"), new TableColumn("params").NoWrap(), new TableColumn("cached"), new TableColumn("source"));
            foreach (var e in zoo.Entries)
            {
                table.AddRow(e.Name, e.ArchitectureId, $"×{e.Scale}", e.ParameterCount.ToString("N0", CultureInfo.InvariantCulture),
                    e.Embedded ? "built in" : zoo.IsCached(e.Name) ? "[green]yes[/]" : "no", Markup.Escape(e.Source));
            }
            console.Write(table);
            return Task.FromResult(0);
        }));

        var fetch = new Command("fetch", "Download a zoo model into the cache (checksummed; later runs work offline)") { Name };
        fetch.SetAction((parse, ct) => ErrorRenderer.Guard(error, parse.GetValue(CommonOptions.Verbose), async () =>
        {
            var name = parse.GetRequiredValue(Name);
            await Zoo().FetchAsync(name, null, ct);
            console.MarkupLineInterpolated($"[green]cached[/] {name} in {ModelZoo.DefaultCacheDirectory}");
            return 0;
        }));

        var info = new Command("info", "Detected architecture and hyper-parameters of a model") { ModelFile };
        info.SetAction((parse, _) => ErrorRenderer.Guard(error, parse.GetValue(CommonOptions.Verbose), () =>
        {
            var m = Resolve(parse.GetRequiredValue(ModelFile));
            var grid = new Grid().AddColumn().AddColumn();
            grid.AddRow("[bold]name[/]", Markup.Escape(m.Name));
            grid.AddRow("[bold]architecture[/]", Markup.Escape(m.ArchitectureId));
            grid.AddRow("[bold]scale[/]", $"×{ScaleOf(m)}");
            grid.AddRow("[bold]channels[/]", $"{m.InputChannels} in, {m.OutputChannels} out");
            grid.AddRow("[bold]parameters[/]", m.ParameterCount.ToString("N0", CultureInfo.InvariantCulture));
            grid.AddRow("[bold]overlap[/]", $"{m.Footprint.Overlap} px by default");
            if (m.Hyperparameters.Count > 0)
            {
                grid.AddRow("[bold]hyper-parameters[/]", Markup.Escape(string.Join(", ", m.Hyperparameters.Select(p => $"{p.Key}={p.Value}"))));
            }
            grid.AddRow("[bold]source[/]", Markup.Escape(m.Source));
            console.Write(grid);
            return Task.FromResult(0);
        }));

        var convert = new Command("convert", "Write the ONNX graph SatSR runs for a model") { ModelFile, OnnxOut, Overwrite };
        convert.SetAction((parse, _) => ErrorRenderer.Guard(error, parse.GetValue(CommonOptions.Verbose), () =>
        {
            var output = parse.GetRequiredValue(OnnxOut);
            if (File.Exists(output) && !parse.GetValue(Overwrite))
            {
                throw new InvalidOptionsException($"{output}: already exists; pass --overwrite to replace it");
            }
            var model = Resolve(parse.GetRequiredValue(ModelFile));
            var partial = output + ".partial";
            File.WriteAllBytes(partial, model.OnnxModel);
            File.Move(partial, output, overwrite: true);
            console.MarkupLineInterpolated($"[green]wrote[/] {output} ({model.ArchitectureId}, ×{ScaleOf(model)})");
            return Task.FromResult(0);
        }));

        return new Command("models", "List, fetch, inspect and convert models") { list, fetch, info, convert };
    }
}
