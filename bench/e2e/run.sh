#!/usr/bin/env bash
# End-to-end benchmark: a whole `zagg run` (process start included) over synthetic granules.
#   bench/e2e/run.sh [WORK_DIR=/tmp/zagg-e2e] [GRANULES=60] [POINTS_PER_BEAM=14000]
# Needs Debian's python3-h5py for the granules (made once) and GNU time for peak RSS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:-/tmp/zagg-e2e}
granules=${2:-60}
points=${3:-14000}
mkdir -p "$work"
if [ ! -f "$work/.made-$granules-$points" ]; then
  rm -rf "$work/granules"
  /usr/bin/python3 "$here/make_granules.py" "$work/granules" "$granules" "$points"
  touch "$work/.made-$granules-$points"
fi
dotnet publish "$root/Zagg.AppHost" -c Release -r linux-x64 --self-contained false -o "$work/zagg" --nologo -v:quiet >/dev/null
"$work/zagg/zagg" catalog --files "$work/granules" --parent-order 6 --output "$work/catalog.json"
# STORE_DIR=/dev/shm puts the store on tmpfs, to measure without the disk's file-creation costs.
out="${STORE_DIR:-$work}/out.zarr"
rm -rf "$out" "$out.report.json"
/usr/bin/time -v "$work/zagg/zagg" run --catalog "$work/catalog.json" --store "$out" 2> "$work/time.txt" | tail -2
wall=$(grep -E "Elapsed \(wall clock\)" "$work/time.txt" | awk '{print $NF}')
rss=$(grep -E "Maximum resident set size" "$work/time.txt" | awk '{print $NF}')
obs=$(python3 -c "import json;print(json.load(open('$out.report.json'))['total_obs'])")
secs=$(python3 -c "p='$wall'.split(':');print(sum(float(x)*60**i for i,x in enumerate(reversed(p))))")
echo "observations: $obs; wall (process start included): ${secs} s; $(python3 -c "print(f'{$obs/$secs/1e6:.2f}')") M obs/s; peak RSS $((rss / 1024)) MB"
