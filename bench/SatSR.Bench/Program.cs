using System.Globalization;
using SatSR.Bench;

// SatSR benchmark harness. Modes:
//   run INPUT [--model M] [--precision fp32|fp16|int8] [--tile N] [--overlap N] [--scale S | --outscale F] [--gdal-cache-mb N]
//       [--format gtiff|cog] [--overviews auto|none|2,4,…]         time one upscale: MP/s, read/infer/write/overviews/copy split, peak RSS
//   mosaic SAMPLE OUTPUT MEGAPIXELS [--width W]                  build a large input by tiling a real scene
//   overlap INPUT [--model M] [--tile N]                         PSNR of tiled vs whole-image runs for a sweep of overlaps
//   reach INPUT [--model M] [--size N]                           receptive field: how far one input pixel changes the output
//   nearest-model OUT.onnx                                       write the pixel-repeat ×4 graph, for running it through the CLI
//   activation MODEL SIZE [--batch B]                             peak RSS of one inference of a SIZE² tile (run once per size: the peak only grows)
//   halo INPUT|WxH [--tile N] [--overlap N] [--scale S] [--block B] [--max N]
//                                                                tiles re-inferred by N = 2…max shards, from the shard plan
//   merge INPUT --shards N [--model M] [--tile N] [--format gtiff|cog]
//                                                                runs the N shards, then times `merge`: output MP/s
//   precision INPUT [--model M] [--runs N] [--tile N] [--calibration minmax|percentile] [--keep-first K] [--keep-last K]
//                                                                fp32 and int8 upscales alternating: median times, PSNR int8 vs fp32
//   int8-cut INPUT [--model M] [--side N] [--runs N] [--only whole|cut]
//                                                                one int8 tile, the whole quantised graph against the engine's cut one
//   ort-profile INPUT [--model M] [--side N] [--runs N] [--int8-level extended|all]
//                                                                ONNX Runtime's time per operator type on one N² tile, fp32 and int8 graphs
// Every figure in docs/BENCHMARKS.md comes from one of these commands.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
return args.FirstOrDefault() switch
{
    "run" => Bench.Run(args[1..]),
    "mosaic" => Bench.Mosaic(args[1..]),
    "overlap" => Bench.OverlapSweep(args[1..]),
    "reach" => Bench.Reach(args[1..]),
    "activation" => Bench.Activation(args[1..]),
    "nearest-model" => Bench.WriteNearestModel(args[1]),
    "halo" => ShardBench.Halo(args[1..]),
    "merge" => ShardBench.Merge(args[1..]),
    "precision" => Bench.PrecisionRuns(args[1..]),
    "ort-profile" => OrtProfile.Run(args[1..]),
    "int8-cut" => Int8Cut.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: bench run INPUT [--model M] [--precision fp32|fp16|int8] [--tile N] [--overlap N] [--scale S | --outscale F] [--gdal-cache-mb N] [--format gtiff|cog] [--overviews auto|none|2,4,…] [--output P] | mosaic SAMPLE OUTPUT MEGAPIXELS [--width W] | overlap INPUT [--model M] [--tile N] | reach INPUT [--model M] [--size N] | halo INPUT|WxH [--tile N] [--overlap N] [--scale S] [--block B] [--max N] | merge INPUT --shards N [--model M] [--tile N] [--format gtiff|cog] | int8-cut INPUT [--model M] [--side N] [--runs N] [--only whole|cut] | ort-profile INPUT [--model M] [--side N] [--runs N] [--int8-level extended|all] | precision INPUT [--model M] [--runs N] [--tile N] [--calibration minmax|percentile] [--keep-first K] [--keep-last K]");
    return 2;
}
