using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SatSR.Cli.Terminal;
using SatSR.Pipeline;
using SatSR.Quality;
using SatSR.Raster;
using Spectre.Console;

namespace SatSR.Cli.Commands;

/// <summary>
/// <c>satsr eval HR.tif</c>: degrade a high-resolution image, super-resolve it, and score the model against the
/// original next to bicubic and Lanczos (<see cref="Evaluation"/>).
/// </summary>
internal static class EvalCommand
{
    private static readonly Argument<string> Reference = new("HR") { Description = "High-resolution reference raster (a file, an http(s) URL, /vsicurl/ or /vsis3/ path)" };
    private static readonly Option<int> Scale = new("--scale", "-s") { Description = "Degradation and upscaling factor: 2, 3 or 4", DefaultValueFactory = _ => 4 };
    private static readonly Option<DegradationKind> Degrade = new("--degradation")
    {
        Description = "area (s×s block mean, Wald's protocol) or mtf (Gaussian with MTF 0.3 at Nyquist, then decimation)",
        DefaultValueFactory = _ => DegradationKind.Area,
        HelpName = "area|mtf", // the trainer's random kinds are refused (EvaluationOptions.Validate)
    };
    private static readonly Option<string?> Json = new("--json") { Description = "Also write the figures to this JSON file" };

    public static Command Create(IAnsiConsole console, IAnsiConsole error)
    {
        var command = new Command("eval", "Score a model on a high-resolution image: degrade, super-resolve, compare (PSNR, SSIM) with bicubic and Lanczos")
        {
            Reference, CommonOptions.Model, Scale, CommonOptions.Region, Degrade, UpscaleCommand.Consistency, UpscaleCommand.NoConsistency, UpscaleCommand.ModelWeightOption, Json, UpscaleCommand.Device, UpscaleCommand.Threads,
        };
        command.SetAction((parse, ct) => ErrorRenderer.Guard(error, parse.GetValue(CommonOptions.Verbose), async () =>
        {
            var options = new EvaluationOptions
            {
                // An http(s) URL is read through /vsicurl/, as upscale reads its input: only the region's bytes are fetched.
                ReferencePath = await StacItem.ResolveInputAsync(parse.GetRequiredValue(Reference), null, ct),
                Model = ModelsCommand.Resolve(parse, parse.GetValue(Scale)),
                Scale = parse.GetValue(Scale),
                Region = CommonOptions.ParseRegion(parse.GetValue(CommonOptions.Region)),
                Degradation = parse.GetValue(Degrade),
                Device = parse.GetValue(UpscaleCommand.Device),
                Threads = parse.GetValue(UpscaleCommand.Threads),
            };
            if (UpscaleCommand.ConsistencyChoice(parse) is { } consistency) options = options with { Consistency = consistency };
            if (UpscaleCommand.ModelWeightChoice(parse, out var weight)) options = options with { ModelWeight = weight };
            options.Validate();
            var json = parse.GetValue(Json);
            if (json is not null && Directory.Exists(json)) throw new InvalidOptionsException($"--json {json}: is a folder; give a file name");
            var result = await SpectreProgress.Run(console, $"eval {Path.GetFileName(options.ReferencePath)}", p => Evaluation.Run(options, p, ct));
            Render(console, result);
            if (json is not null)
            {
                WriteJson(json, result);
                console.MarkupLineInterpolated($"[green]wrote[/] {json}");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>One row per method (and per band under it when there are several): narrow enough for 80 columns.</summary>
    private static void Render(IAnsiConsole console, EvaluationResult r)
    {
        var multiband = r.Bands.Count > 1;
        var table = new Table().AddColumn(new TableColumn("method").NoWrap());
        if (multiband) table.AddColumn("band");
        table.AddColumn(new TableColumn("PSNR (dB)").RightAligned()).AddColumn(new TableColumn("SSIM").RightAligned());
        void Rows(string name, Score overall, Func<BandScores, Score> pick)
        {
            table.AddRow(multiband ? [Markup.Escape(name), "all", Db(overall.Psnr), Ssim(overall.Ssim)] : [Markup.Escape(name), Db(overall.Psnr), Ssim(overall.Ssim)]);
            if (!multiband) return;
            foreach (var b in r.Bands) table.AddRow("", b.Band.ToString(CultureInfo.InvariantCulture), Db(pick(b).Psnr), Ssim(pick(b).Ssim));
        }
        Rows(r.Corrected ? r.ModelName + " + consistency" : r.ModelName, r.Model, b => b.Model);
        Rows("bicubic", r.Bicubic, b => b.Bicubic);
        Rows("lanczos", r.Lanczos, b => b.Lanczos);
        console.Write(table);

        var degradation = r.MtfSigma is { } sigma
            ? FormattableString.Invariant($"mtf (Gaussian σ {sigma:F3} px, MTF {Degradation.NyquistGain} at Nyquist)")
            : "area (block mean)";
        var peaks = string.Join(", ", r.Bands.Select(b => b.Peak.ToString("G6", CultureInfo.InvariantCulture)).Distinct());
        console.WriteLine(FormattableString.Invariant($"×{r.Scale}, degradation {degradation}"));
        console.WriteLine(FormattableString.Invariant(
            $"region {r.Region.Column},{r.Region.Row},{r.Region.Width},{r.Region.Height}: {r.ValidPixels:N0} valid pixels compared, peak {peaks}"));
        console.WriteLine(FormattableString.Invariant($"consistency PSNR of the model output {r.Consistency:F2} dB; {r.Elapsed.TotalSeconds:F1} s"));
        if (r.ModelWeight < 1) console.WriteLine(FormattableString.Invariant($"network weight {r.ModelWeight:0.###} against bicubic"));
    }

    private static string Db(double v) => double.IsFinite(v) ? v.ToString("F2", CultureInfo.InvariantCulture) : v.ToString(CultureInfo.InvariantCulture);

    private static string Ssim(double v) => v.ToString("F4", CultureInfo.InvariantCulture);

    /// <summary>
    /// The figures as JSON, written beside the target and renamed, so a reader never sees half a file; a write that fails
    /// (a full disk, a folder that is not there or not writable) removes the partial file and names the target.
    /// </summary>
    private static void WriteJson(string path, EvaluationResult r)
    {
        var partial = path + ".partial";
        try
        {
            using (var stream = File.Create(partial))
            using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true })) WriteFigures(w, r);
            File.Move(partial, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // File.Delete refuses a path whose folder is missing, the very failure being reported.
            if (File.Exists(partial)) File.Delete(partial);
            throw new SatSRException($"--json {path}: cannot write it ({e.Message})", e);
        }
    }

    private static void WriteFigures(Utf8JsonWriter w, EvaluationResult r)
    {
        w.WriteStartObject();
        w.WriteStartObject("model");
        w.WriteString("name", r.ModelName);
        w.WriteBoolean("consistencyCorrected", r.Corrected);
        WriteScore(w, r.Model);
        w.WriteEndObject();
        WriteScore(w, "bicubic", r.Bicubic);
        WriteScore(w, "lanczos", r.Lanczos);
        w.WriteStartArray("bands");
        foreach (var b in r.Bands)
        {
            w.WriteStartObject();
            w.WriteNumber("band", b.Band);
            w.WriteNumber("peak", b.Peak);
            WriteScore(w, "model", b.Model);
            WriteScore(w, "bicubic", b.Bicubic);
            WriteScore(w, "lanczos", b.Lanczos);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("region");
        foreach (var v in new[] { r.Region.Column, r.Region.Row, r.Region.Width, r.Region.Height }) w.WriteNumberValue(v);
        w.WriteEndArray();
        w.WriteNumber("scale", r.Scale);
        w.WriteString("degradation", r.Degradation.ToString().ToLowerInvariant());
        if (r.MtfSigma is { } sigma) w.WriteNumber("mtfSigma", sigma);
        Number(w, "consistency", r.Consistency);
        w.WriteNumber("modelWeight", r.ModelWeight);
        w.WriteNumber("validPixels", r.ValidPixels);
        w.WriteEndObject();
    }

    private static void WriteScore(Utf8JsonWriter w, string name, Score score)
    {
        w.WriteStartObject(name);
        WriteScore(w, score);
        w.WriteEndObject();
    }

    private static void WriteScore(Utf8JsonWriter w, Score score)
    {
        Number(w, "psnr", score.Psnr);
        Number(w, "ssim", score.Ssim);
    }

    /// <summary>JSON has no infinity or NaN: an exact match (PSNR +∞) or nothing measured is null.</summary>
    private static void Number(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
