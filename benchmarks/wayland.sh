#!/usr/bin/env bash
# The wayland probe against weston 10 headless (release build): the check's own duration over RUNS runs
# (connect, registry, one roundtrip, requirements), beside wayland-info as a process (hyperfine).
#
#   benchmarks/wayland.sh [RUNS]     (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-30}
swift build -c release --product doctor > /dev/null
DOCTOR=$PWD/.build/release/doctor
WORK=$PWD/benchmarks/work/wayland
rm -rf "$WORK" && mkdir -p "$WORK/run" "$WORK/catalog" && chmod 700 "$WORK/run"
XDG_RUNTIME_DIR=$WORK/run weston --backend=headless-backend.so --socket=wayland-bench --idle-time=0 --no-config > "$WORK/weston.log" 2>&1 & WESTON=$!
trap 'kill $WESTON 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -S "$WORK/run/wayland-bench" ] && break; sleep 0.05; done
export XDG_RUNTIME_DIR=$WORK/run WAYLAND_DISPLAY=wayland-bench
cat > "$WORK/catalog/w.yaml" <<'YAML'
id: wayland
title: wayland
category: platform-integration
severity: medium
probe:
  type: wayland
  require: {wl_compositor: 4, wl_shm: 1}
  require_any: [{zcosmic_toplevel_info_v1: 2}, {xdg_wm_base: 1}]
expect: {connected: true, missing: {empty: true}}
YAML
for _ in $(seq 1 "$RUNS"); do
    "$DOCTOR" run --catalog "$WORK/catalog" --format json --output "$WORK/report.json"
    python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["checks"][0]; assert c["status"]=="pass", c; v=c["observed"][0]["values"]; print(c["duration_seconds"]*1000, v["roundtrip_time"]*1000)' "$WORK/report.json"
done > "$WORK/times"
python3 - "$WORK/times" <<'PY'
import statistics, sys
rows = [tuple(map(float, line.split())) for line in open(sys.argv[1])]
checks, trips = [r[0] for r in rows], [r[1] for r in rows]
print(f"wayland check: median {statistics.median(checks):.2f} ms (min {min(checks):.2f}, max {max(checks):.2f}); "
      f"connect + registry roundtrip: median {statistics.median(trips):.2f} ms, {len(rows)} runs")
PY
hyperfine -N --warmup 3 --runs "$RUNS" --style none --export-json "$WORK/hf.json" "wayland-info" "$DOCTOR run --catalog $WORK/catalog --output $WORK/report.txt" > /dev/null 2>&1 || true
python3 -c "
import json
for r in json.load(open('$WORK/hf.json'))['results']:
    print(f\"{r['command'].split()[0].split('/')[-1]}: whole process median {r['median']*1000:.1f} ms (min {r['min']*1000:.1f}, max {r['max']*1000:.1f})\")"
