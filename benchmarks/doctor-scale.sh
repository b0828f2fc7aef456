#!/usr/bin/env bash
# Times `doctor run` end to end on catalogs of N file checks over real files (release build, static Swift
# standard library), and `doctor --version`. Prints a Markdown table: wall time (hyperfine median, min–max)
# and peak RSS (/usr/bin/time -v).
#
#   benchmarks/doctor-scale.sh [N ...]        default N: 100 1000 10000
#
# Work files go to benchmarks/work/ (ignored by git). Needs hyperfine and GNU time (./scripts/bootstrap).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
((${#sizes[@]})) || sizes=(100 1000 10000)
work=benchmarks/work
mkdir -p "$work"

echo "building release (static Swift stdlib)..." >&2
swift build -c release --static-swift-stdlib --product doctor >&2
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)/doctor

runs=${RUNS:-10}
rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident/ {printf "%.1f", $6/1024}'; }
median() {  # hyperfine JSON → "median min max" in ms
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f %.1f %.1f" % (r["median"]*1e3, r["min"]*1e3, r["max"]*1e3))' "$1"
}

echo "| workload | checks | median wall ms | min–max ms | peak RSS MB | result |"
echo "|---|---:|---:|---:|---:|---|"
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/version.json" "$bin --version" >/dev/null 2>&1
read -r med min max < <(median "$work/version.json")
echo "| doctor --version | – | $med | $min–$max | $(rss "$bin" --version) | – |"
for n in "${sizes[@]}"; do
    dir="$work/n$n"
    python3 benchmarks/gen_catalog.py "$n" "$dir"
    for format in text json; do
        cmd="$bin run --catalog $dir/catalog --format $format --output $work/report-$n.$format"
        hyperfine -N --warmup 2 --runs "$runs" --export-json "$work/run-$n-$format.json" "$cmd" >/dev/null 2>&1 || true
        read -r med min max < <(median "$work/run-$n-$format.json")
        status=0; $cmd || status=$?
        echo "| run, $format report | $n | $med | $min–$max | $(rss $cmd) | exit $status |"
    done
    hyperfine -N --warmup 2 --runs "$runs" --export-json "$work/validate-$n.json" "$bin validate --quiet --catalog $dir/catalog" >/dev/null 2>&1
    read -r med min max < <(median "$work/validate-$n.json")
    echo "| validate (load only) | $n | $med | $min–$max | $(rss "$bin" validate --quiet --catalog "$dir/catalog") | – |"
done
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(swift --version 2>&1 | head -1)"
