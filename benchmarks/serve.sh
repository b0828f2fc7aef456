#!/usr/bin/env bash
# doctor serve under load (release build): wrk against /metrics and /health on loopback TCP, DURATION seconds
# each, while the shipped catalog runs every 5 s; errors, request rate, latency percentiles, and the server's
# RSS before, between and after (it should stay flat).
#
#   benchmarks/serve.sh [DURATION] [CONNECTIONS]     (default 30 s, 64 connections, 2 wrk threads)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-30}
CONNECTIONS=${2:-64}
swift build -c release --product doctor > /dev/null
DOCTOR=$PWD/.build/release/doctor
WORK=$PWD/benchmarks/work/serve
rm -rf "$WORK" && mkdir -p "$WORK/run" && chmod 700 "$WORK/run"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
XDG_RUNTIME_DIR=$WORK/run "$DOCTOR" serve --catalog checks --listen "127.0.0.1:$PORT" --interval 5s > "$WORK/serve.log" 2>&1 & SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/metrics" && break; sleep 0.05; done
rss() { awk '/VmRSS/ {print $2}' "/proc/$SERVER/status"; }
curl -s -o /dev/null "http://127.0.0.1:$PORT/health"
echo "doctor serve: $(curl -s "http://127.0.0.1:$PORT/checks" | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["total"])') checks every 5 s, wrk -t2 -c$CONNECTIONS -d${DURATION}s on 127.0.0.1 (2 cores shared by wrk and the server)"
echo "RSS at start: $(rss) KiB"
for endpoint in /metrics /health /metrics; do
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$PORT$endpoint" > "$WORK/wrk.txt"
    python3 - "$WORK/wrk.txt" "$endpoint" "$(rss)" <<'PY'
import re, sys
text, endpoint, rss = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
rate = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
total = re.search(r"(\d+) requests in", text).group(1)
p = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", text, re.M))
errors = re.search(r"Socket errors: (.*)", text)
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{endpoint:9} {float(rate):9.0f} req/s  {total} requests  p50 {p['50']}  p90 {p['90']}  p99 {p['99']}  "
      f"socket errors: {errors.group(1) if errors else 'none'}  non-2xx: {non2xx.group(1) if non2xx else 0}  RSS after: {rss} KiB")
PY
done
echo "runs completed during the load: $(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^pds_doctor_serve_runs_total/ {print $2}')"
