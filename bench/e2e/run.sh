#!/usr/bin/env bash
# End-to-end benchmark: a whole `zagg run` (process start included) over synthetic granules.
#   bench/e2e/run.sh [WORK_DIR=/tmp/zagg-e2e] [GRANULES=60] [POINTS_PER_BEAM=14000] [LAYOUT=sparse|dense|polar]
# sparse: tracks anywhere in 68-82 S; dense: every track crosses one ~50 km region; polar: short tracks all inside
# one order-6 cell near the pole (`run.sh /tmp/zagg-polar 5000 1180 polar`: ~30 M points in one cell; see make_granules.py).
# zagg is published as released: self-contained, compiled ahead of time with its runtime (composite
# ReadyToRun; the first publish takes about two minutes). BUILD=framework measures the framework-dependent
# ReadyToRun build instead. STORE_DIR=/dev/shm puts the store on tmpfs.
# Needs Debian's python3-h5py for the granules (made once) and GNU time for peak RSS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:-/tmp/zagg-e2e}
granules=${2:-60}
points=${3:-14000}
layout=${4:-sparse}
mkdir -p "$work"
if [ ! -f "$work/.made-$granules-$points-$layout" ]; then
  rm -rf "$work/granules" "$work"/.made-*
  /usr/bin/python3 "$here/make_granules.py" "$work/granules" "$granules" "$points" "$layout"
  touch "$work/.made-$granules-$points-$layout"
fi
# The two builds share the ReadyToRun intermediates, which do not notice a switch between them: start those afresh.
flavour=${BUILD:-release}
r2r="$root/Zagg.Cli/obj/Release/net10.0/linux-x64/R2R"
if [ "$(cat "$work/.flavour" 2>/dev/null)" != "$flavour" ]; then rm -rf "$r2r"; echo "$flavour" > "$work/.flavour"; fi
if [ "$flavour" = framework ]; then
  app="$work/zagg-framework"
  dotnet publish "$root/Zagg.Cli" -c Release -r linux-x64 --self-contained false -o "$app" --nologo -v:quiet >/dev/null
else
  app="$work/zagg"
  dotnet publish "$root/Zagg.Cli" -c Release -r linux-x64 --self-contained -p:PublishReadyToRunComposite=true -o "$app" --nologo -v:quiet >/dev/null
fi
"$app/zagg" catalog --files "$work/granules" --parent-order 6 --output "$work/catalog.json"
# Each measurement writes a new store; stores over ten minutes old are deleted after it. (ext4 allocates inodes
# slowly for a few minutes where thousands of files were just deleted: deleting the last store right before the
# run would measure that, not zagg.)
stores="${STORE_DIR:-$work}/zagg-e2e-stores"
mkdir -p "$stores"
out="$stores/out-$(date +%s%N).zarr"
config=atl06
if [ "${CONFIG:-}" = pyramid ]; then config="$here/atl06-pyramid.yaml"; fi
/usr/bin/time -v "$app/zagg" run --config "$config" --catalog "$work/catalog.json" --store "$out" 2> "$work/time.txt" | tail -2
wall=$(grep -E "Elapsed \(wall clock\)" "$work/time.txt" | awk '{print $NF}')
rss=$(grep -E "Maximum resident set size" "$work/time.txt" | awk '{print $NF}')
obs=$(python3 -c "import json;print(json.load(open('$out.report.json'))['total_obs'])")
secs=$(python3 -c "p='$wall'.split(':');print(sum(float(x)*60**i for i,x in enumerate(reversed(p))))")
echo "observations: $obs; wall (process start included): ${secs} s; $(python3 -c "print(f'{$obs/$secs/1e6:.2f}')") M obs/s; peak RSS $((rss / 1024)) MB"
find "$stores" -mindepth 1 -maxdepth 1 -mmin +10 -exec rm -rf {} +
