using System.Diagnostics;
using SatSR.Inference;
using SatSR.Pipeline;
using SatSR.Pipeline.Options;
using SatSR.Pipeline.Sharding;
using SatSR.Raster;
using SatSR.Tiling;

namespace SatSR.Bench;

/// <summary>The cost of splitting a job into shards: the halo of re-inferred tiles, and the merge.</summary>
internal static class ShardBench
{
    /// <summary>
    /// For N = 2…max, with the tile fixed (<c>--tile</c>): tiles the N shards infer together against the tiles of one run,
    /// feathered and hard-cropped (from the plan alone, nothing inferred). <c>satsr plan</c> also picks the tile.
    /// </summary>
    public static int Halo(string[] args)
    {
        var (width, height) = Size(args[0]);
        var tile = int.Parse(Bench.Arg(args, "--tile", "256"));
        var overlap = int.Parse(Bench.Arg(args, "--overlap", "24"));
        var scale = int.Parse(Bench.Arg(args, "--scale", "4"));
        var block = int.Parse(Bench.Arg(args, "--block", "512"));
        var max = int.Parse(Bench.Arg(args, "--max", "16"));
        var feather = ShardLayout.Create(new TilePlan.Axis(height, tile, overlap), new TilePlan.Axis(width, tile, overlap).Count, scale, BlendMode.Feather, block);
        var hardcrop = feather with { Reach = ShardLayout.Create(feather.Axis, feather.Columns, scale, BlendMode.HardCrop, block).Reach };
        Console.WriteLine($"{width}×{height} input, tile {tile}, overlap {overlap}, ×{scale}, {block}-row output blocks: {feather.Axis.Count}×{feather.Columns} = {feather.Tiles()} tiles");
        Console.WriteLine("| shards | re-inferred, feather | re-inferred, hardcrop |");
        Console.WriteLine("| ---: | ---: | ---: |");
        for (var n = 2; n <= max; n++) Console.WriteLine($"| {n} | {100 * feather.Halo(n):F1} % | {100 * hardcrop.Halo(n):F1} % |");
        return 0;
    }

    /// <summary>WIDTHxHEIGHT, or the size of the raster at <paramref name="input"/>.</summary>
    private static (int Width, int Height) Size(string input)
    {
        if (input.Split('x') is [var w, var h] && int.TryParse(w, out var width) && int.TryParse(h, out var height)) return (width, height);
        using var src = RasterDataset.Open(input);
        return (src.Profile.Width, src.Profile.Height);
    }

    /// <summary>Runs INPUT's N shards one after the other in this process, then times the merge of their parts.</summary>
    public static int Merge(string[] args)
    {
        var input = args[0];
        var n = int.Parse(Bench.Arg(args, "--shards", "4"));
        var folder = Directory.CreateTempSubdirectory("satsr-bench-").FullName;
        try
        {
            var output = Path.Combine(folder, "out.tif");
            var options = new UpscaleOptions
            {
                InputPath = input,
                OutputPath = output,
                Model = Bench.Model(Bench.Arg(args, "--model", "realesr-general-x4v3")),
                Device = Enum.Parse<ExecutionDevice>(Bench.Arg(args, "--device", "Cpu"), ignoreCase: true),
                TileSize = int.Parse(Bench.Arg(args, "--tile", "256")),
                Format = Enum.Parse<OutputFormat>(Bench.Arg(args, "--format", "GTiff"), ignoreCase: true),
            };
            Gdal.SetCacheMax(256L << 20);
            var shards = Stopwatch.StartNew();
            for (var i = 0; i < n; i++) Upscaler.Run(options with { Shard = new Shard(i, n) });
            shards.Stop();
            var r = PartMerge.Run(new MergeOptions { OutputPath = output });
            var mp = r.Width * (double)r.Height / 1e6;
            var bytes = Directory.GetFiles(folder, "out.part-*").Sum(f => new FileInfo(f).Length);
            Console.WriteLine($"shards       {n} of {input} with {options.Model.Name} in {shards.Elapsed.TotalSeconds:F1} s; parts {bytes / 1048576.0:F1} MiB");
            Console.WriteLine($"merged       {r.Width}×{r.Height} ({mp:F1} MP), {new FileInfo(r.OutputPath).Length / 1048576.0:F1} MiB, {options.Format}");
            Console.WriteLine($"merge        {r.Elapsed.TotalSeconds:F2} s = pixel copy {r.CopyTime.TotalSeconds:F2} s ({mp / r.CopyTime.TotalSeconds:F1} MP/s) + overviews{(options.Format == OutputFormat.Cog ? " and COG copy" : "")} {(r.Elapsed - r.CopyTime).TotalSeconds:F2} s; {mp / r.Elapsed.TotalSeconds:F1} MP/s overall");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
