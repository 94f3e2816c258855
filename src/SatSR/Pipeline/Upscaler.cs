using System.Diagnostics;
using System.Globalization;
using SatSR.Geometry;
using SatSR.Inference;
using SatSR.Pixels;
using SatSR.Raster;
using SatSR.Tiling;

namespace SatSR.Pipeline;

/// <summary>
/// Runs one upscale job, streaming: plan tiles → read each tile's window → normalise → fill nodata → infer →
/// blend into an <see cref="OutputStrip"/> → write finished output blocks exactly once → scaled georeference.
/// Memory is bounded by the strip (one column chunk × one tile row), not by the image.
/// </summary>
public static class Upscaler
{
    public static UpscaleResult Run(UpscaleOptions options, IProgress<UpscaleProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var cog = options.Format == OutputFormat.Cog;
        // The output of a COG (the copy) and of --outscale (the resample pass) has no journal: it is redone whole.
        var output = OutputTarget.Prepare(options.InputPath, options.OutputPath, options.Overwrite, options.Resume, redoable: options.OutScale is not null || cog);
        using var source = RasterDataset.Open(options.InputPath);
        var profile = source.Profile;
        var encoding = OutputEncoding.For(options.Format, profile.DataType, options.CreationOptions);
        var overlap = options.EffectiveOverlap;
        // Checked before the tile plan (whose size follows the image's) and before the model is loaded; a plain
        // .onnx tells its scale only when it runs, so its output is checked again below.
        CheckOutputSize(options.InputPath, profile, options.OutScale ?? options.Scale ?? options.Model.Scale ?? 1);
        var plan = TilePlan.Create(profile.Width, profile.Height, options.TileSize, overlap, options.Model.SizeRequirements);

        // Test-time augmentation turns tiles by quarter turns, so its tensor is square.
        var side = Math.Max(plan.TensorHeight, plan.TensorWidth);
        using var engine = options.Tta
            ? InferenceEngine.Create(options.Model, options.Device, side, side, options.Threads, options.Precision)
            : InferenceEngine.Create(options.Model, options.Device, plan.TensorHeight, plan.TensorWidth, options.Threads, options.Precision);
        // --outscale F: the network runs at the smallest integer scale that reaches F (its own at most), so the
        // resample pass shrinks as little as possible, or enlarges past the model's scale.
        var scale = options.Scale ?? (options.OutScale is { } f ? Math.Min((int)Math.Ceiling(f), engine.Scale) : engine.Scale);
        if (scale > engine.Scale)
        {
            throw new InvalidOptionsException($"--scale {scale} is larger than the model's ×{engine.Scale}");
        }
        if (engine.Channels is not (1 or 3))
        {
            throw new InvalidOptionsException($"model '{options.Model.Name}' takes {engine.Channels} channels; SatSR feeds 1 or 3");
        }
        var factor = options.OutScale ?? scale;
        CheckOutputSize(options.InputPath, profile, factor);
        int width = OutputLength(profile.Width, factor), height = OutputLength(profile.Height, factor);

        var validity = Validity.For(source, options.Nodata, options.NodataValue);
        var bands = BandSelection.Resolve(profile, options.InputPath, options.Bands, engine.Channels);
        encoding.CheckBandCount(bands.Output.Length);
        var scales = BandRanges.Measure(source, validity, options.Ranges, options.Stretch);
        var job = new Job(options, source, engine, plan, scale, validity, scales, bands, progress, cancellationToken);
        using var int8 = options.Precision != Precision.Int8 ? null : InferenceEngine.Create(
            Int8Model.Quantise(options.Model, job.PreparedSample(Int8Model.SampleTiles, Int8Model.Seed), engine.Channels, engine.Height, engine.Width, cancellationToken),
            options.Device, engine.Height, engine.Width, options.Threads);
        if (int8 is not null) job.Use(int8);
        var outputProfile = OutputProfile.For(profile, width, height, encoding.Mask ? null : validity.OutputNodata, bands.Output);
        // An integer F the network reaches is that --scale, pixel for pixel; any other size is resampled from a
        // full integer-scale file beside the output.
        var resampled = width != profile.Width * scale || height != profile.Height * scale;
        // The files, in the order they are written: the network's stage (resumable), the GeoTIFF that gets the
        // overviews, and the output. Some are the same file.
        var stage = resampled ? output.Intermediate(options.InputPath, $".x{scale}") : cog ? output.Intermediate(options.InputPath, ".gtiff") : output;
        // The interrupted job wrote another stage (another --scale or --outscale, or none): nothing of it is reusable,
        // and starting over beside it would leave it behind.
        if (options.Resume && output.InterruptedJournals().FirstOrDefault(j => j != stage.JournalPath) is { } other)
        {
            throw ResumeJournal.OtherJob(options.OutputPath, other);
        }
        var streamed = !resampled ? stage : cog ? output.Intermediate(options.InputPath, ".gtiff", redoable: true) : output;
        var stageProfile = resampled ? OutputProfile.For(profile, profile.Width * scale, profile.Height * scale, validity.OutputNodata, bands.Output) : outputProfile;
        var journal = new ResumeJournal(stage.JournalPath, ResumeJournal.FingerprintOf(options, scale));
        var start = stage.Resuming ? journal.Read(options.OutputPath) : new ResumePoint(0, 0);
        int blockHeight = encoding.BlockHeight, blockWidth = encoding.BlockWidth;
        TimeSpan overviewTime, copyTime = TimeSpan.Zero;
        try
        {
            if (!stage.Resuming)
            {
                // Closed at once and reopened for update: libtiff persists a file's tile index on every flush only in
                // update mode, and the journal relies on flushed windows surviving a kill.
                using (RasterDataset.Create(stage.PartialPath, stageProfile, resampled ? encoding.Intermediate(profile.DataType) : encoding.Streamed,
                    mask: !resampled && encoding.Mask)) { }
            }
            using (var target = ReopenPartial(stage, stageProfile))
            {
                job.WriteAll(target, blockHeight, blockWidth, start, journal);
            }
            if (resampled)
            {
                using var intermediate = RasterDataset.Open(stage.PartialPath);
                using var target = RasterDataset.Create(streamed.PartialPath, outputProfile, encoding.Streamed, encoding.Mask);
                new ResamplePass(source, validity, intermediate, scale, bands, BandRanges.Encoders(scales, profile.DataType, validity.OutputNodata),
                    progress, () => job.Elapsed, cancellationToken).WriteAll(target, blockHeight, blockWidth);
            }
            var megapixels = profile.Width * (double)profile.Height / 1e6;
            var clock = Stopwatch.StartNew();
            using (var written = RasterDataset.OpenForUpdate(streamed.PartialPath))
            {
                var resampling = written.Profile.Bands
                    .Select(b => b.ColorInterpretation == ColorInterpretation.Alpha ? OverviewResampling.Nearest : OverviewResampling.Average).ToList();
                written.BuildOverviews(options.OverviewFactors(width, height), resampling,
                    new StageProgress(progress, UpscaleStage.Overviews, megapixels, () => job.Elapsed), cancellationToken);
            }
            overviewTime = clock.Elapsed;
            if (cog)
            {
                clock.Restart();
                using (var written = RasterDataset.Open(streamed.PartialPath))
                {
                    written.CopyTo(output.PartialPath, "COG", encoding.Copy!, new StageProgress(progress, UpscaleStage.Copy, megapixels, () => job.Elapsed), cancellationToken);
                }
                copyTime = clock.Elapsed;
            }
            output.Commit();
            if (stage != output) stage.Abandon();
            if (streamed != output) streamed.Abandon();
        }
        catch (OperationCanceledException)
        {
            // Finished windows of the network's stage are in its partial file and journal: `--resume` continues from
            // there. The files after it are quick to redo and go (a half-resampled output, a half-copied COG).
            if (streamed != stage) streamed.Abandon();
            if (output != stage) output.Abandon();
            throw;
        }
        catch
        {
            output.Abandon();
            streamed.Abandon();
            stage.Abandon();
            throw;
        }
        return job.Result(output.FinalPath, width, height) with { OverviewTime = overviewTime, CopyTime = copyTime };
    }

    private static RasterDataset ReopenPartial(OutputTarget output, RasterProfile expected)
    {
        var partial = RasterDataset.OpenForUpdate(output.PartialPath);
        var p = partial.Profile;
        if (p.Width != expected.Width || p.Height != expected.Height || p.BandCount != expected.BandCount || p.DataType != expected.DataType)
        {
            partial.Dispose();
            throw new InvalidOptionsException($"{output.FinalPath}: cannot resume: {output.PartialPath} does not have the expected size or bands; remove it to start over");
        }
        return partial;
    }

    private static void CheckOutputSize(string inputPath, RasterProfile profile, double factor)
    {
        if (Math.Round(profile.Width * factor) > int.MaxValue || Math.Round(profile.Height * factor) > int.MaxValue)
        {
            var size = Math.Round(profile.Width * factor) * Math.Round(profile.Height * factor);
            throw new InvalidOptionsException(string.Create(CultureInfo.InvariantCulture,
                $"{inputPath}: the ×{factor} output ({size:N0} pixels) exceeds GeoTIFF's limits"));
        }
    }

    /// <summary>Output pixels along an axis of <paramref name="length"/> input pixels: round(length·F), so the extent is kept to half a pixel.</summary>
    private static int OutputLength(int length, double factor) => (int)Math.Round(length * factor, MidpointRounding.AwayFromZero);

    /// <summary>Output pixels written per GDAL call at most (whole blocks): bounds the conversion buffer.</summary>
    private const int MaxPieceWidth = 4096;

    /// <summary>
    /// <paramref name="area"/> cut into pieces of whole output blocks, block row by block row, each at most
    /// <see cref="MaxPieceWidth"/> wide: writing them in this order writes every block once.
    /// </summary>
    internal static IEnumerable<Window> Pieces(Window area, int blockHeight, int blockWidth)
    {
        var pieceWidth = Math.Max(blockWidth, MaxPieceWidth / blockWidth * blockWidth);
        for (var top = area.Row; top < area.Bottom; top += blockHeight)
        {
            for (var left = area.Column; left < area.Right; left += pieceWidth)
            {
                yield return Window.FromEdges(left, top, Math.Min(left + pieceWidth, area.Right), Math.Min(top + blockHeight, area.Bottom));
            }
        }
    }

    /// <summary>True when validity goes into <paramref name="target"/>'s own mask band (lossy output) rather than a nodata value.</summary>
    internal static bool HasMask(RasterDataset target) => target.Profile.Bands[0].MaskFlags == MaskFlags.PerDataset;

    /// <summary><paramref name="buffer"/>, grown to at least <paramref name="length"/>; contents are not kept.</summary>
    internal static T[] Reuse<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new T[length];
        return buffer;
    }

    /// <summary>The state of one run; lives only inside <see cref="Run"/>.</summary>
    private sealed class Job(
        UpscaleOptions options, RasterDataset source, InferenceEngine engine, TilePlan plan, int scale,
        Validity validity, BandScale[] scales, BandSelection bands, IProgress<UpscaleProgress>? progress, CancellationToken ct)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Stopwatch _read = new(), _infer = new(), _write = new();
        private readonly BlendWeights _weights = BlendWeights.Create(plan, scale, options.Blend);
        private readonly SampleEncoder[] _encoders = BandRanges.Encoders(scales, source.Profile.DataType, validity.OutputNodata);
        private readonly int[] _allBands = Enumerable.Range(1, source.Profile.BandCount).ToArray();
        private readonly int[] _outputBands = Enumerable.Range(1, bands.Output.Length).ToArray();
        private SquaredError _consistencyBefore, _consistencyAfter;
        private int _inferred, _skipped, _resumed, _planned;

        // Buffers live as long as the job: every tile has the plan's one shape, every written piece at most one
        // block row of MaxPieceWidth, so nothing is allocated per tile and memory stays flat.
        private double[] _tileValues = [], _pieceValues = [], _pixels = [];
        private byte[] _tileValid = [], _pieceValid = [], _pieceMask = [];
        private float[] _prediction = [], _planes = [], _modelScale = [], _residual = [], _augmentedInput = [], _augmentedOutput = [];
        private double[] _augmentedSum = [];

        private int Bands => _allBands.Length;

        /// <summary>
        /// Column chunk by chunk, tile row by tile row: infer, blend, and write the rows no later tile row touches.
        /// After each write the partial file is flushed and <paramref name="journal"/> records how far it got; a
        /// resumed run starts at <paramref name="start"/> and re-infers only the tile rows that reach below it, adding
        /// them in the same order as an uninterrupted run would, so the pixels come out identical.
        /// </summary>
        public void WriteAll(RasterDataset target, int blockHeight, int blockWidth, ResumePoint start, ResumeJournal journal)
        {
            int outWidth = plan.Width * scale, outHeight = plan.Height * scale;
            var capacity = blockHeight + plan.ReadHeight * scale;
            var perColumn = (long)_outputBands.Length * capacity * sizeof(float);
            var chunkWidth = (int)Math.Min(outWidth, Math.Max(blockWidth, options.StripBudgetBytes / perColumn / blockWidth * blockWidth));
            var chunks = Enumerable.Range(0, (outWidth + chunkWidth - 1) / chunkWidth)
                .Select(i => (Left: i * chunkWidth, Width: Math.Min(chunkWidth, outWidth - i * chunkWidth))).ToList();
            _planned = chunks.Sum(c => ColumnsTouching(c.Left, c.Width).Count() * plan.Rows);

            float[]? storage = null;
            for (var k = start.Chunk; k < chunks.Count; k++)
            {
                var (left, width) = chunks[k];
                var done = k == start.Chunk ? start.RowsDone : 0;
                if (done >= outHeight) continue;
                var strip = new OutputStrip(_outputBands.Length, left, width, capacity, done, storage);
                storage = strip.Storage;
                var columns = ColumnsTouching(left, width).ToList();
                for (var r = 0; r < plan.Rows; r++)
                {
                    if ((plan.RowAxis.ReadStart(r) + plan.ReadHeight) * scale <= done)
                    {
                        _resumed += columns.Count; // written by the interrupted run
                        continue;
                    }
                    foreach (var c in columns) InferTile(plan[r, c], strip);
                    var last = r == plan.Rows - 1;
                    var final = last ? outHeight : plan.RowAxis.ReadStart(r + 1) * scale;
                    var flushTo = last ? outHeight : final / blockHeight * blockHeight;
                    if (flushTo <= strip.Top) continue;
                    Flush(target, strip, flushTo, blockHeight, blockWidth);
                    target.FlushCache();
                    journal.Record(new ResumePoint(k, flushTo));
                }
            }
        }

        public TimeSpan Elapsed => _clock.Elapsed;

        /// <summary>Infers with <paramref name="quantised"/> from now on (the int8 graph calibrated on <see cref="PreparedSample"/>).</summary>
        public void Use(InferenceEngine quantised) => engine = quantised;

        /// <summary>
        /// Prepared input tensors (first band group, exactly as inferred) of up to <paramref name="count"/> tiles with
        /// valid pixels, taken in a seeded random order: the same input always gives the same sample.
        /// </summary>
        public IEnumerable<float[]> PreparedSample(int count, int seed)
        {
            var order = Enumerable.Range(0, plan.Rows * plan.Columns).ToArray();
            new Random(seed).Shuffle(order);
            foreach (var index in order)
            {
                if (count == 0) yield break;
                var read = plan[index / plan.Columns, index % plan.Columns].Read;
                var values = Reuse(ref _tileValues, Bands * read.Width * read.Height);
                var valid = Reuse(ref _tileValid, read.Width * read.Height);
                source.Read<double>(read, _allBands, values);
                if (validity.Evaluate(read, values, valid) == 0) continue;
                PrepareInput(bands.Groups[0], values, valid, read.Width, read.Height);
                count--;
                yield return engine.Input.ToArray();
            }
        }

        /// <summary>The job's figures, for an output of <paramref name="width"/>×<paramref name="height"/> pixels.</summary>
        public UpscaleResult Result(string path, int width, int height) => new(
            path, width, height, (double)width / plan.Width, (double)height / plan.Height, _inferred, _skipped, engine.Device,
            _clock.Elapsed, _read.Elapsed, _infer.Elapsed, _write.Elapsed)
        {
            ConsistencyBefore = _consistencyBefore.Psnr,
            ConsistencyAfter = _consistencyAfter.Psnr,
        };

        private IEnumerable<int> ColumnsTouching(int left, int width) =>
            Enumerable.Range(0, plan.Columns).Where(c =>
                plan.ColumnAxis.ReadStart(c) * scale < left + width &&
                (plan.ColumnAxis.ReadStart(c) + plan.ReadWidth) * scale > left);

        private void InferTile(Tile tile, OutputStrip strip)
        {
            ct.ThrowIfCancellationRequested();
            var read = tile.Read;
            int n = read.Width * read.Height;
            var values = Reuse(ref _tileValues, Bands * n);
            var valid = Reuse(ref _tileValid, n);
            _read.Start();
            source.Read<double>(read, _allBands, values);
            var validCount = validity.Evaluate(read, values, valid);
            _read.Stop();

            if (validCount == 0)
            {
                // Everything this tile could contribute to is nodata in the output anyway.
                _skipped++;
                Report();
                return;
            }

            var area = read.Scale(scale);
            var rows = _weights.Rows(tile.GridRow);
            var cols = _weights.Columns(tile.GridColumn);
            var prediction = Reuse(ref _prediction, area.Width * area.Height);
            foreach (var group in bands.Groups)
            {
                try
                {
                    PrepareInput(group, values, valid, read.Width, read.Height);
                    _infer.Start();
                    if (options.Tta) RunAugmented();
                    else engine.Run(ct);
                    _infer.Stop();
                }
                catch (InferenceException e)
                {
                    throw new InferenceException($"{source.Path}: tile {tile.Index} {read}: {e.Message}", e);
                }
                for (var k = 0; k < group.Length; k++)
                {
                    TakeOutput(group.Length == 1 ? -1 : k, read.Width, read.Height, prediction, tile);
                    EnforceConsistency(k, read.Width, read.Height, prediction, valid, tile.Core.RelativeTo(read));
                    strip.Add(Array.IndexOf(bands.Output, group[k]), area, prediction, rows, cols);
                }
            }
            _inferred++;
            Report();
        }

        /// <summary>Normalised, nodata-filled planes of one band group, edge-padded to the engine's tile shape.</summary>
        private void PrepareInput(int[] group, double[] values, byte[] valid, int w, int h)
        {
            int n = w * h, tw = engine.Width, th = engine.Height;
            var planes = Reuse(ref _planes, engine.Channels * n);
            for (var k = 0; k < engine.Channels; k++)
            {
                var band = group[Math.Min(k, group.Length - 1)] - 1;
                var range = scales[band].Unit;
                for (var i = 0; i < n; i++) planes[k * n + i] = valid[i] != 0 ? range.ToUnit(values[band * n + i]) : 0f;
            }
            NodataFill.Fill(planes, engine.Channels, valid, w, h);

            var input = engine.Input;
            for (var k = 0; k < engine.Channels; k++)
            {
                for (var y = 0; y < th; y++)
                {
                    var src = planes.AsSpan(k * n + Math.Min(y, h - 1) * w, w);
                    var dst = input.Slice(k * th * tw + y * tw, tw);
                    src.CopyTo(dst);
                    dst[w..].Fill(src[w - 1]);
                }
            }
        }

        /// <summary>
        /// Test-time augmentation: the prepared (square) tensor is inferred in each of the eight flips and quarter turns,
        /// every result turned back and the eight averaged. The sum is taken in double precision, where adding eight
        /// floats of similar size is exact, so the average does not depend on the order the transforms come in: a
        /// turned input gives the exactly turned output.
        /// </summary>
        private void RunAugmented()
        {
            int n = engine.Width, on = n * engine.Scale, plane = n * n, outPlane = on * on;
            var input = Reuse(ref _augmentedInput, engine.Channels * plane);
            engine.Input[..input.Length].CopyTo(input);
            var sum = Reuse(ref _augmentedSum, engine.OutputChannels * outPlane);
            sum.AsSpan(0, engine.OutputChannels * outPlane).Clear();
            for (var k = 0; k < Dihedral.Count; k++)
            {
                for (var c = 0; c < engine.Channels; c++)
                {
                    Dihedral.Apply(input.AsSpan(c * plane, plane), engine.Input.Slice(c * plane, plane), n, k);
                }
                engine.Run(ct);
                for (var c = 0; c < engine.OutputChannels; c++)
                {
                    Dihedral.AddInverse(engine.Output.Slice(c * outPlane, outPlane), sum.AsSpan(c * outPlane, outPlane), on, k);
                }
            }
            var output = Reuse(ref _augmentedOutput, engine.OutputChannels * outPlane);
            for (var i = 0; i < engine.OutputChannels * outPlane; i++) output[i] = (float)(sum[i] / Dihedral.Count);
        }

        /// <summary>The network's last result for the tile: the engine's output, or the augmented average.</summary>
        private ReadOnlySpan<float> NetworkOutput => options.Tta ? _augmentedOutput : engine.Output;

        /// <summary>
        /// Copies channel <paramref name="channel"/> of the engine's output (or the mean of all channels when −1) over the
        /// tile's read window, resampled from the model's scale to the job's.
        /// </summary>
        private void TakeOutput(int channel, int w, int h, float[] prediction, Tile tile)
        {
            var m = engine.Scale;
            int ow = w * m, oh = h * m, tw = engine.Width * m, th = engine.Height * m;
            var output = NetworkOutput;
            var full = m == scale ? prediction : Reuse(ref _modelScale, ow * oh);
            for (var y = 0; y < oh; y++)
            {
                for (var x = 0; x < ow; x++)
                {
                    float v;
                    if (channel >= 0)
                    {
                        v = output[channel * th * tw + y * tw + x];
                    }
                    else
                    {
                        v = 0;
                        for (var c = 0; c < engine.OutputChannels; c++) v += output[c * th * tw + y * tw + x];
                        v /= engine.OutputChannels;
                    }
                    if (!float.IsFinite(v))
                    {
                        throw new InferenceException($"{source.Path}: tile {tile.Index} {tile.Read}: the model produced {v} (try --device cpu)");
                    }
                    full[y * ow + x] = v;
                }
            }
            if (m != scale) AreaResample.Downscale(full, ow, oh, prediction, w * scale, h * scale);
        }

        /// <summary>
        /// Measures how far one band's prediction (at the job's scale) is from averaging back to the network's input
        /// plane <paramref name="channel"/> over the tile's core, and with <c>--consistency</c> removes the difference.
        /// </summary>
        private void EnforceConsistency(int channel, int w, int h, float[] prediction, byte[] valid, Window core)
        {
            var residual = Reuse(ref _residual, w * h);
            _consistencyBefore += Consistency.Residual(prediction, _planes.AsSpan(channel * w * h, w * h), w, h, scale, valid, core, residual);
            if (options.Consistency) Consistency.Correct(prediction, residual, w, h, scale);
        }

        /// <summary>
        /// Writes the strip's rows above <paramref name="bottom"/> in pieces of whole output blocks (each block is
        /// written once: GDAL appends, not replaces, a rewritten compressed block), then drops them from the strip.
        /// </summary>
        private void Flush(RasterDataset target, OutputStrip strip, int bottom, int blockHeight, int blockWidth)
        {
            foreach (var piece in Pieces(Window.FromEdges(strip.Left, strip.Top, strip.Left + strip.Width, bottom), blockHeight, blockWidth))
            {
                WritePiece(target, strip, piece);
            }
            strip.Drop(bottom);
        }

        private void WritePiece(RasterDataset target, OutputStrip strip, Window window)
        {
            // Input pixels under this output window: nodata is restored nearest-neighbour from them.
            var input = Window.FromEdges(window.Column / scale, window.Row / scale,
                (window.Right + scale - 1) / scale, (window.Bottom + scale - 1) / scale);
            int n = input.Width * input.Height;
            var values = Reuse(ref _pieceValues, Bands * n);
            var valid = Reuse(ref _pieceValid, n);
            _read.Start();
            source.Read<double>(input, _allBands, values);
            validity.Evaluate(input, values, valid);
            _read.Stop();

            _write.Start();
            var pixels = Reuse(ref _pixels, _outputBands.Length * window.Width * window.Height);
            var mask = HasMask(target) ? Reuse(ref _pieceMask, window.Width * window.Height) : null;
            var nodata = validity.OutputNodata ?? 0;
            for (var o = 0; o < _outputBands.Length; o++)
            {
                var b = bands.Output[o] - 1;
                var carried = bands.Carried.Contains(b + 1);
                var encoder = _encoders[b];
                var range = scales[b].Unit;
                for (var y = 0; y < window.Height; y++)
                {
                    var row = strip.Row(o, window.Row + y).Slice(window.Column - strip.Left, window.Width);
                    var inRow = (window.Row + y) / scale - input.Row;
                    var dst = pixels.AsSpan((o * window.Height + y) * window.Width, window.Width);
                    for (var x = 0; x < window.Width; x++)
                    {
                        var i = inRow * input.Width + (window.Column + x) / scale - input.Column;
                        dst[x] = carried ? values[b * n + i] : valid[i] != 0 ? encoder.Encode(range.FromUnit(row[x])) : nodata;
                        if (mask is not null && o == 0) mask[y * window.Width + x] = valid[i];
                    }
                }
                if (carried) continue;
                var plane = window.Width * window.Height;
                _consistencyAfter += Consistency.Measure(pixels.AsSpan(o * plane, plane), window, values.AsSpan(b * n, n), input, valid, scale, range);
            }
            target.Write<double>(window, _outputBands, pixels);
            if (mask is not null) target.WriteMask(window, mask);
            _write.Stop();
        }

        private void Report() => progress?.Report(new UpscaleProgress(
            _inferred + _skipped + _resumed, _planned,
            (double)(_inferred + _skipped + _resumed) / Math.Max(1, _planned) * plan.Width * plan.Height / 1e6,
            plan.Width * (double)plan.Height / 1e6, _clock.Elapsed));
    }
}
