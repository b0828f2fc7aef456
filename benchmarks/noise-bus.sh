#!/usr/bin/env bash
# One Noise IK handshake plus 10 StatusRequest round trips against the noiseprotocol responder of the tests
# (Tests/Fixtures/noise/responder.py), from the noise-ik probe (release build) and from a Python client on
# the same library (benchmarks/noise_client.py), RUNS runs each. Prints medians.
#
#   benchmarks/noise-bus.sh [RUNS]      (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-30}
swift build -c release --product doctor > /dev/null
DOCTOR=$PWD/.build/release/doctor
WORK=$PWD/benchmarks/work/noise
rm -rf "$WORK" && mkdir -p "$WORK/catalog" "$WORK/run"
python3 - "$WORK/run" <<'PY'
import sys
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives import serialization as s
key = X25519PrivateKey.generate()
open(sys.argv[1] + "/bus.key", "wb").write(key.private_bytes(s.Encoding.Raw, s.PrivateFormat.Raw, s.NoEncryption()))
open(sys.argv[1] + "/bus.pub", "wb").write(key.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw))
PY
python3 Tests/Fixtures/noise/responder.py "$WORK/run/bus.sock" "$WORK/run/bus.key" > "$WORK/responder.log" 2>&1 & RESPONDER=$!
trap 'kill $RESPONDER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q ready "$WORK/responder.log" 2>/dev/null && break; sleep 0.05; done

for rounds in 0 10; do
    cat > "$WORK/catalog/bus.yaml" <<YAML
id: bus
title: bus
category: ipc-connectivity
severity: high
probe: {type: noise-ik, socket: "$WORK/run/bus.sock", status_requests: $rounds}
expect: {handshake: true, round_trips: $rounds}
YAML
    for _ in $(seq 1 "$RUNS"); do
        "$DOCTOR" run --catalog "$WORK/catalog" --format json --output "$WORK/report.json"
        python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["checks"][0]
assert c["status"] == "pass", c
seen = c["observed"][0]["values"]
print(json.dumps({"check_ms": c["duration_seconds"] * 1000, **seen}))' "$WORK/report.json"
    done > "$WORK/doctor-$rounds.jsonl"
done
python3 benchmarks/noise_client.py "$WORK/run/bus.sock" "$WORK/run/bus.pub" 10 "$RUNS" > "$WORK/python-10.jsonl"

python3 - "$WORK" <<'PY'
import json, statistics, sys
work = sys.argv[1]
def rows(name): return [json.loads(line) for line in open(f"{work}/{name}.jsonl")]
def med(values): return statistics.median(values)
d0, d10, py = rows("doctor-0"), rows("doctor-10"), rows("python-10")
print(f"doctor, handshake only: check {med([r['check_ms'] for r in d0]):.2f} ms (handshake_time {med([r['handshake_time'] * 1000 for r in d0]):.2f} ms)")
print(f"doctor, handshake + 10 round trips: check {med([r['check_ms'] for r in d10]):.2f} ms "
      f"(min {min(r['check_ms'] for r in d10):.2f}, max {max(r['check_ms'] for r in d10):.2f}); "
      f"round trip median {med([r['latency_median'] * 1000 for r in d10]):.3f} ms, max {med([r['latency_max'] * 1000 for r in d10]):.3f} ms")
print(f"python noiseprotocol client, handshake + 10 round trips: {med([r['total_ms'] for r in py]):.2f} ms (handshake {med([r['handshake_ms'] for r in py]):.2f} ms)")
overhead = [r['check_ms'] - r['handshake_time'] * 1000 - 10 * r['latency_median'] * 1000 for r in d10]
print(f"probe overhead outside the handshake and the round trips (key file, connect, setup, report): {med(overhead):.2f} ms")
PY
