#!/usr/bin/env bash
# The throughput comparisons of docs/BENCHMARKS.md ("Throughput"), each measured side by side in one run (alternating
# rounds, medians; bench/side_by_side.py). Needs gdal-bin, python3-gdal and python3-torch (tools/ensure-deps --tests).
#
#   bench/throughput.sh SCENE.tif WORK_DIR [ROUNDS] [pipeline|overviews|models|batch|all]
#
# SCENE: the CBERS-2B HRC scene (../shared/data/cbers2b_hrc_pan_2p5m.tif); its mosaic of 100 MP, the crops and all
# outputs go to WORK_DIR. Weights of RealESRGAN_x4plus for both sides: $X4PLUS_PTH (an official .pth).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scene="$1"; work="$2"; rounds="${3:-5}"; what="${4:-all}"
mkdir -p "$work"
dotnet build "$root/bench/SatSR.Bench" -c Release -nologo -o "$root/out/bench" >/dev/null
"$root/satsr" --version >/dev/null   # the CLI as users run it (the launcher builds it when sources changed)
B=(dotnet "$root/out/bench/SatSR.Bench.dll")
S=("$root/out/cli/SatSR.Cli")   # the native program the launcher builds
cmp=("$root/bench/side_by_side.py" --rounds "$rounds")
co=(-co TILED=YES -co BLOCKXSIZE=512 -co BLOCKYSIZE=512 -co COMPRESS=DEFLATE -co PREDICTOR=2 -co BIGTIFF=IF_SAFER)
threads=$(nproc)

if [ "$what" = pipeline ] || [ "$what" = all ]; then
  "${B[@]}" nearest-model "$work/nearest-x4.onnx"
  [ -f "$work/m100.tif" ] || "${B[@]}" mosaic "$scene" "$work/m100.tif" 100 >/dev/null
  for input in "$scene" "$work/m100.tif"; do
    echo "== pipeline: pixel-repeat ×4 model vs gdal_translate, $(basename "$input")"
    "${cmp[@]}" \
      --name satsr -- "${S[@]}" upscale "$input" "$work/satsr.tif" --model "$work/nearest-x4.onnx" --overviews none --overwrite \
      --name satsr-overlap0 -- "${S[@]}" upscale "$input" "$work/satsr0.tif" --model "$work/nearest-x4.onnx" --overviews none --overlap 0 --overwrite \
      --name gdal -- gdal_translate -q -outsize 400% 400% -r nearest "${co[@]}" "$input" "$work/gdal.tif" \
      --name gdal-threads -- gdal_translate -q -outsize 400% 400% -r nearest "${co[@]}" -co NUM_THREADS=ALL_CPUS "$input" "$work/gdalt.tif"
  done
fi

if [ "$what" = overviews ] || [ "$what" = all ]; then
  # The default output has overviews: against what a user runs for the same file, gdal_translate then gdaladdo -r
  # average with SatSR's levels (read off its output), internal, compressed as the full resolution.
  "${B[@]}" nearest-model "$work/nearest-x4.onnx"
  "${S[@]}" upscale "$scene" "$work/ovr-satsr.tif" --model "$work/nearest-x4.onnx" --overwrite >/dev/null
  levels=$(/usr/bin/python3 -c "from osgeo import gdal; d = gdal.Open('$work/ovr-satsr.tif'); b = d.GetRasterBand(1); print(' '.join(str(2 ** (i + 1)) for i in range(b.GetOverviewCount())))")
  echo "== overviews: pixel-repeat ×4 model, $(basename "$scene"), levels $levels: SatSR default vs --overviews none vs gdal_translate + gdaladdo"
  "${cmp[@]}" \
    --name satsr -- "${S[@]}" upscale "$scene" "$work/ovr-satsr.tif" --model "$work/nearest-x4.onnx" --overwrite \
    --name satsr-no-overviews -- "${S[@]}" upscale "$scene" "$work/ovr-none.tif" --model "$work/nearest-x4.onnx" --overviews none --overwrite \
    --name gdal -- sh -c "gdal_translate -q -outsize 400% 400% -r nearest ${co[*]} -co NUM_THREADS=ALL_CPUS '$scene' '$work/ovr-gdal.tif' && gdaladdo -q -r average --config GDAL_NUM_THREADS ALL_CPUS '$work/ovr-gdal.tif' $levels"
fi

[ "$what" = pipeline ] || [ "$what" = overviews ] || gdal_translate -q -srcwin 965 893 1024 1024 "$scene" "$work/crop1024.tif"
if [ "$what" = models ] || [ "$what" = all ]; then
  gdal_translate -q -srcwin 1285 1213 384 384 "$scene" "$work/crop384.tif"
  echo "== realesr-general-x4v3, 1024² crop, $threads threads: SatSR (default options) vs PyTorch 1.13"
  "${cmp[@]}" \
    --name satsr -- "${S[@]}" upscale "$work/crop1024.tif" "$work/g-satsr.tif" --model realesr-general-x4v3 --device cpu --threads "$threads" --overwrite \
    --name pytorch -- /usr/bin/python3 "$root/bench/torch_upscale.py" "$work/crop1024.tif" "$work/g-torch.tif" "${GENERAL_PTH:?set GENERAL_PTH to realesr-general-x4v3.pth}" srvgg "$threads"
  echo "== RealESRGAN_x4plus, 384² crop, $threads threads: SatSR (default options) vs PyTorch 1.13"
  "${cmp[@]}" \
    --name satsr -- "${S[@]}" upscale "$work/crop384.tif" "$work/x-satsr.tif" --model "${X4PLUS_PTH:?set X4PLUS_PTH to RealESRGAN_x4plus.pth}" --device cpu --threads "$threads" --overwrite \
    --name pytorch -- /usr/bin/python3 "$root/bench/torch_upscale.py" "$work/crop384.tif" "$work/x-torch.tif" "$X4PLUS_PTH" rrdb "$threads"
  echo "== time split, realesr-general-x4v3 on the 1024² crop"
  "${B[@]}" run "$work/crop1024.tif" --model realesr-general-x4v3 --threads "$threads"
fi

if [ "$what" = batch ] || [ "$what" = all ]; then
  # Batching needs tiles of one shape: the crop in 256² tiles (16, read 304²), as a GPU's default batch of 4 would run them.
  echo "== realesr-general-x4v3, 1024² crop in 256² tiles, $threads threads: --batch 1 vs --batch 4"
  "${cmp[@]}" \
    --name batch1 -- "${S[@]}" upscale "$work/crop1024.tif" "$work/b1.tif" --model realesr-general-x4v3 --device cpu --tile 256 --batch 1 --overwrite \
    --name batch4 -- "${S[@]}" upscale "$work/crop1024.tif" "$work/b4.tif" --model realesr-general-x4v3 --device cpu --tile 256 --batch 4 --overwrite
fi
