#!/usr/bin/env bash
# Start-up of the binary a user gets, side by side in one hyperfine run: the installed static build
# (scripts/install: --static-swift-stdlib, stripped) against a plain `swift build -c release` (Swift runtime
# linked dynamically, built into .build-dynamic). `doctor --version`, and a 100-check file catalog with the
# cache warm (the workload of the performance issue: regular file, exact mode, owner root).
#
#   benchmarks/startup.sh [RUNS]        (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-30}
./scripts/bootstrap --test > /dev/null
WORK=$PWD/benchmarks/work/startup
rm -rf "$WORK" && mkdir -p "$WORK"
scripts/install --prefix "$WORK/prefix" > /dev/null 2>&1
swift build -c release --product doctor --scratch-path .build-dynamic 2>&1 | grep -E "error" >&2 || true
INSTALLED=$WORK/prefix/bin/doctor DYNAMIC=$PWD/.build-dynamic/release/doctor
ldd "$DYNAMIC" | grep -q libswiftCore || { echo "startup: $DYNAMIC is not dynamically linked" >&2; exit 1; }
! ldd "$INSTALLED" | grep -q libswiftCore || { echo "startup: $INSTALLED links the Swift runtime dynamically" >&2; exit 1; }
python3 benchmarks/gen_catalog.py 100 "$WORK/files" > /dev/null
catalog=$WORK/files/catalog
"$INSTALLED" run --catalog "$catalog" --format json=/dev/null > /dev/null || true
"$DYNAMIC" run --catalog "$catalog" --format json=/dev/null > /dev/null || true
echo "installed: $(du -k "$INSTALLED" | cut -f1) KiB; swift build -c release: $(du -k "$DYNAMIC" | cut -f1) KiB"
hyperfine -N -i --warmup 3 --runs "$RUNS" \
    -n "installed (static) --version" "$INSTALLED --version" \
    -n "swift build -c release --version" "$DYNAMIC --version" \
    -n "installed (static) 100 checks" "$INSTALLED run --catalog $catalog --format json=/dev/null" \
    -n "swift build -c release 100 checks" "$DYNAMIC run --catalog $catalog --format json=/dev/null" 2>&1 \
    | grep -E "Benchmark|Time|Range"
scripts/uninstall --prefix "$WORK/prefix" > /dev/null 2>&1
