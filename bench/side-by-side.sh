#!/usr/bin/env bash
# Runs both hosts on the same plugins in one run and prints the side-by-side table
# (docs/benchmarks.md). `make bench` and `make bench-quick` call it after `make build`.
#
#   bench/side-by-side.sh full    BenchmarkDotNet (every benchmark, $BENCH_ARGS), the capacity
#                                 run, the Extism JS SDK peer, then the report
#   bench/side-by-side.sh quick   the same, each timed benchmark once, capacity up to 200
#                                 instances: only checks that everything runs; timings mean nothing
#
# Results land in $OUT (artifacts/bench or artifacts/bench-quick): BenchmarkDotNet's in results/,
# ours in side-by-side/ (interplug-capacity.json, peer.json, meta.json, loadavg.log, and the
# report's results.json, report.md and benchmarks.svg).
set -euo pipefail
set -f # no globbing: BenchmarkDotNet filters are globs
mode=${1:-full}
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
DOTNET=${DOTNET:-dotnet}
case "$mode" in
  full)  OUT=${OUT:-artifacts/bench};       bdn_args=${BENCH_ARGS:-"--filter '*' --join"}; cap_args="";              peer_args="" ;;
  quick) OUT=${OUT:-artifacts/bench-quick}; bdn_args="--filter '*' --join --quick";      cap_args="--target 200"; peer_args="--quick" ;;
  *) echo "usage: $0 full|quick" >&2; exit 2 ;;
esac
sbs="$OUT/side-by-side"
rm -rf "$sbs" "$OUT/results"
mkdir -p "$sbs"

# Optional: BENCH_MAX_MAP_COUNT=1048576 raises vm.max_map_count for this run (needs root) and puts
# it back at the end. Without it, how many instances fit is bounded by the machine's setting.
restore_maps=""
if [ -n "${BENCH_MAX_MAP_COUNT:-}" ]; then
  restore_maps=$(cat /proc/sys/vm/max_map_count)
  sysctl -qw vm.max_map_count="$BENCH_MAX_MAP_COUNT"
fi

# What was measured, and how busy the machine was: the load average every 10 s during the run.
dirty=$(git status --porcelain -- src plugins bench 2>/dev/null | wc -l | tr -d ' ')
cat > "$sbs/meta.json" <<EOF
{
  "mode": "$mode",
  "commit": "$(git rev-parse HEAD 2>/dev/null || echo unknown)",
  "uncommitted_files_in_src_plugins_bench": $dirty,
  "started": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "cpu": "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)",
  "nproc": $(nproc),
  "mem_total_kib": $(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo),
  "max_map_count": $(cat /proc/sys/vm/max_map_count 2>/dev/null || echo 0),
  "os": "$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")",
  "dotnet": "$($DOTNET --version)",
  "node": "$(node --version)"
}
EOF
( while true; do echo "$(date +%s) $(cut -d' ' -f1-3 /proc/loadavg)"; sleep 10; done ) > "$sbs/loadavg.log" &
sampler=$!
trap 'kill $sampler 2>/dev/null || true; [ -z "$restore_maps" ] || sysctl -qw vm.max_map_count="$restore_maps"' EXIT

bench_dll=bench/Interplug.Benchmarks/bin/Release/net10.0/Interplug.Benchmarks.dll
echo "== Interplug: BenchmarkDotNet ($bdn_args)"
# BenchmarkDotNet builds its own copy of the project for each run; the in-process quick mode and
# the capacity mode run the build that `make build` made.
# BENCH_ARGS is parsed with shell quoting, as on a command line: --filter '*InputRead*'.
eval "bdn=($bdn_args)"
$DOTNET run --project bench/Interplug.Benchmarks -c Release --no-build -- "${bdn[@]}" --artifacts "$OUT"

echo "== Interplug: live idle instances (console mode --capacity)"
# shellcheck disable=SC2086
$DOTNET "$bench_dll" --capacity $cap_args --out "$sbs/interplug-capacity.json"

echo "== Extism JS SDK peer (bench/peer)"
# shellcheck disable=SC2086
node --expose-gc --no-warnings bench/peer/peer.mjs --dist plugins/dist --out "$sbs/peer.json" $peer_args

kill $sampler 2>/dev/null || true
echo "$(date +%s) $(cut -d' ' -f1-3 /proc/loadavg)" >> "$sbs/loadavg.log"

echo "== Report"
# Every full JSON report of this run: one when joined, one per class otherwise.
bdn_json=$(find "$OUT/results" -name '*-report-full.json' 2>/dev/null | sort | paste -sd, -)
node bench/report/report.mjs \
  --bdn "$bdn_json" --capacity "$sbs/interplug-capacity.json" --peer "$sbs/peer.json" \
  --meta "$sbs/meta.json" --loadavg "$sbs/loadavg.log" \
  --save "$sbs/results.json" --md "$sbs/report.md" --svg "$sbs/benchmarks.svg"
