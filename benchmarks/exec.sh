#!/usr/bin/env bash
# The cost of an exec check (release build): N checks running check_dummy, against check_dummy run directly.
# Prints the per-check overhead doctor adds (spawn in a process group, pipes, reaping, the group kill).
#
#   benchmarks/exec.sh [N]     (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200}
swift build -c release --product doctor > /dev/null
DOCTOR=$PWD/.build/release/doctor
WORK=$PWD/benchmarks/work/exec
rm -rf "$WORK" && mkdir -p "$WORK/catalog" && chmod 755 "$WORK" "$WORK/catalog"
python3 - "$N" > "$WORK/catalog/dummy.yaml" <<'PY'
import sys
for i in range(int(sys.argv[1])):
    print(f"- id: dummy-{i}\n  title: dummy {i}\n  category: configuration\n  severity: low\n  probe: {{type: exec, command: [check_dummy, \"0\", ok]}}")
PY
"$DOCTOR" run --catalog "$WORK/catalog" --allow-exec --format json --output "$WORK/report.json"
python3 - "$WORK/report.json" <<'PY'
import json, statistics, sys
checks = json.load(open(sys.argv[1]))["checks"]
assert all(c["status"] == "pass" for c in checks), "not every check passed"
durations = sorted(c["duration_seconds"] * 1000 for c in checks)
print(f"exec check on check_dummy, inside doctor (spawn to reap): median {statistics.median(durations):.2f} ms, "
      f"p90 {durations[int(len(durations) * 0.9)]:.2f} ms, {len(durations)} checks")
PY
hyperfine -N --warmup 5 --runs 100 --style none --export-json "$WORK/direct.json" "/usr/lib/nagios/plugins/check_dummy 0 ok" > /dev/null 2>&1
hyperfine -N --warmup 2 --runs 10 --style none --export-json "$WORK/run.json" \
    "$DOCTOR run --catalog $WORK/catalog --allow-exec --jobs 1 --output $WORK/out.txt" > /dev/null 2>&1 || true
python3 - "$WORK/direct.json" "$WORK/run.json" "$N" <<'PY'
import json, sys
direct = json.load(open(sys.argv[1]))["results"][0]["median"] * 1000
run = json.load(open(sys.argv[2]))["results"][0]["median"] * 1000
n = int(sys.argv[3])
print(f"check_dummy run directly (hyperfine): {direct:.2f} ms")
print(f"doctor run of {n} exec checks, --jobs 1: {run:.0f} ms, {run / n:.2f} ms per check; overhead over a direct run: {run / n - direct:.2f} ms per check")
PY
