#!/usr/bin/env bash
# BLAKE3 throughput (ours, doctor-bench blake3, against PyPI blake3 single-threaded on the same file) and the
# audit-chain probe on a 1 GB log built with PyPI blake3 (Tests/Fixtures/audit/make_log.py), beside a plain
# Python verifier (json + PyPI blake3). Release builds.
#
#   benchmarks/audit-blake3.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product doctor > /dev/null
swift build -c release --product doctor-bench > /dev/null
WORK=$PWD/benchmarks/work/audit
mkdir -p "$WORK/catalog"
[ -s "$WORK/random.bin" ] || head -c 268435456 /dev/urandom > "$WORK/random.bin"
echo "== BLAKE3 over 256 MiB of random bytes"
for _ in 1 2 3; do .build/release/doctor-bench blake3 "$WORK/random.bin"; done
python3 - "$WORK/random.bin" <<'PY'
import sys, time
from blake3 import blake3
data = open(sys.argv[1], "rb").read()
for _ in range(3):
    started = time.perf_counter()
    digest = blake3(data, max_threads=1).hexdigest()
    elapsed = time.perf_counter() - started
    print(f"{digest}  PyPI blake3 (Rust, SIMD), one thread: {len(data) / elapsed / 1e6:.1f} MB/s")
PY
echo "== audit-chain over a 1 GB log"
[ -s "$WORK/audit.jsonl" ] || python3 Tests/Fixtures/audit/make_log.py "$WORK/audit.jsonl" 0 --min-bytes 1000000000
cat > "$WORK/catalog/audit.yaml" <<YAML
id: audit
title: audit
category: crypto-posture
severity: high
timeout: 10m
probe: {type: audit-chain, path: "$WORK/audit.jsonl"}
expect: {intact: true}
YAML
lines=$(wc -l < "$WORK/audit.jsonl"); bytes=$(stat -c %s "$WORK/audit.jsonl")
for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$WORK/time" .build/release/doctor run --catalog "$WORK/catalog" > /dev/null
    read -r seconds rss < "$WORK/time"
    python3 -c "print(f'doctor audit-chain: $lines lines, $bytes bytes in $seconds s: {$bytes / $seconds / 1e6:.0f} MB/s, {$lines / $seconds / 1e3:.0f} k lines/s, peak RSS {$rss / 1024:.0f} MiB')"
done
python3 - "$WORK/audit.jsonl" <<'PY'
import json, sys, time
from blake3 import blake3
started, previous, count = time.perf_counter(), "", 0
with open(sys.argv[1], "rb") as handle:
    for line in handle:
        line = line[:-1]
        entry = json.loads(line)
        assert entry["prev_hash"] == previous and entry["sequence"] == count + 1
        previous, count = blake3(line).hexdigest(), count + 1
print(f"python json + PyPI blake3: {count} lines in {time.perf_counter() - started:.2f} s")
PY
