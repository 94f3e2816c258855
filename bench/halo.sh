#!/usr/bin/env bash
# The halo table of docs/SCALE-OUT.md ("How to choose N"): what `satsr plan` chooses for N = 2, 4, 8, 16 shards of a
# 10000² and a 40000² scene with realesr-general-x4v3 (×4, overlap 24, 512-row output blocks), feathered and
# hard-cropped, with --max-halo 5 and with --max-halo 100 (the tile of least network work, as by default). Arithmetic over
# the plan: the scenes are sparse GeoTIFFs (a few hundred kB), nothing is inferred.
#
#   bench/halo.sh [WORK_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -ge 1 ]; then work="$1"; mkdir -p "$work"; else work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT; fi
"$root/satsr" --version >/dev/null   # the CLI as users run it (the launcher builds it when sources changed)
S=("$root/out/cli/SatSR.Cli")
for size in 10000 40000; do
  gdal_create -q -of GTiff -outsize "$size" "$size" -bands 1 -ot Byte -co TILED=YES -co SPARSE_OK=TRUE -co COMPRESS=DEFLATE "$work/scene-$size.tif"
  for blend in feather hardcrop; do
    for halo in 5 100; do
      for n in 2 4 8 16; do
        printf '%s² %-8s max %3s %% ' "$size" "$blend" "$halo"
        "${S[@]}" plan "$work/scene-$size.tif" "$work/out.tif" --shards "$n" --max-halo "$halo" --slurm "$work/job.sbatch" --overwrite \
          -- --model realesr-general-x4v3 --blend "$blend" | head -n 1
      done
    done
  done
done
