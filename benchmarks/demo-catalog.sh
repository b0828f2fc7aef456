#!/usr/bin/env bash
# Wall time of the shipped catalog (checks/) on the healthy demo host (scripts/demo-host), release build:
# hyperfine runs `doctor run` RUNS times on one demo host (its daemons, bus and vaults stay up between runs).
# The catalog cache is used as in production (first run warms it); --no-cache is measured too.
#
#   benchmarks/demo-catalog.sh [RUNS]        (default 50)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-50}
swift build -c release --product doctor > /dev/null
DOCTOR=$PWD/.build/release/doctor
export DOCTOR
# doctor exits 2 on the demo host (a check fails for a reason of this machine; docs/demo.md): -i accepts it.
DEMO_EXEC="
    echo \"checks: \$(\$DOCTOR list --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"checks\"]))')\"
    \$DOCTOR run --format text | tail -1
    hyperfine -N -i --warmup 3 --runs $RUNS --export-json \"\$HOME/../hyperfine.json\" \
        \"\$DOCTOR run --format json=/dev/null\" \"\$DOCTOR run --no-cache --format json=/dev/null\" 2>&1 | grep -E 'Benchmark|Time|Range'
" scripts/demo-host
