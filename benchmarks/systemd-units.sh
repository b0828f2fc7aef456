#!/usr/bin/env bash
# Time of one systemd-unit check over 10 units, against python-dbusmock on a private bus and against a real
# systemd 252 booted in systemd-nspawn (scripts/systemd-container start). Prints the check's own duration
# (from the JSON report) and the whole `doctor run` process (hyperfine), median of RUNS runs.
#
#   benchmarks/systemd-units.sh [RUNS]        (default 30; needs root for the container)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-30}
swift build -c release --product doctor > /dev/null
DOCTOR=$PWD/.build/release/doctor
WORK=$PWD/benchmarks/work/systemd
rm -rf "$WORK" && mkdir -p "$WORK/catalog"
FIX=$PWD/Tests/Fixtures

units='[doctor-ok.service, doctor-bad.service, doctor-watchdog.service, doctor-restarts.service, "doctor-odd@a_b:c\\x2dd.service", doctor-ok.service, doctor-bad.service, doctor-watchdog.service, doctor-restarts.service, "doctor-odd@a_b:c\\x2dd.service"]'
catalog() {
    cat > "$WORK/catalog/units.yaml" <<YAML
id: ten-units
title: Ten units
category: daemon-liveness
severity: high
probe: {type: systemd-unit, address: "$1", units: $units}
expect: {LoadState: loaded, NRestarts: {le: 5}, WatchdogUSec: {ge: 0s}}
YAML
}

measure() {
    local label=$1
    local durations=()
    for _ in $(seq 1 "$RUNS"); do
        d=$("$DOCTOR" run --catalog "$WORK/catalog" --format json | python3 -c 'import json,sys; r=json.load(sys.stdin); c=r["checks"][0]; assert c["status"] in ("pass","fail"), c; print(c["duration_seconds"]*1000)')
        durations+=("$d")
    done
    printf '%s\n' "${durations[@]}" | python3 -c "
import statistics, sys
v = sorted(float(x) for x in sys.stdin)
print(f'$label: check over 10 units: median {statistics.median(v):.2f} ms (min {v[0]:.2f}, max {v[-1]:.2f}, {len(v)} runs)')"
    hyperfine -N -i --warmup 3 --runs "$RUNS" --style none --export-json "$WORK/$label.json" "$DOCTOR run --catalog $WORK/catalog --format json --output $WORK/report.json" > /dev/null 2>&1 || true
    python3 -c "
import json; r = json.load(open('$WORK/$label.json'))['results'][0]
print(f'$label: whole doctor run: median {r[\"median\"]*1000:.1f} ms (min {r[\"min\"]*1000:.1f}, max {r[\"max\"]*1000:.1f})')"
}

# The mock.
mkdir -p "$WORK/bus"
cat > "$WORK/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:path=$WORK/bus/socket</listen>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy></busconfig>
CONF
dbus-daemon --config-file="$WORK/bus.conf" --nofork --nopidfile 2> /dev/null & BUS=$!
sleep 1000 & MAIN=$!
trap 'kill $BUS $MAIN ${MOCK:-} 2>/dev/null || true' EXIT
sleep 0.3
DBUS_SESSION_BUS_ADDRESS=unix:path=$WORK/bus/socket /usr/bin/python3 -m dbusmock --session --template "$FIX/dbusmock/systemd_units.py" \
    --parameters "{\"units_file\": \"$FIX/systemd/mock-units.json\", \"main_pid\": $MAIN}" > "$WORK/mock.log" 2>&1 & MOCK=$!
for _ in $(seq 1 100); do busctl --address="unix:path=$WORK/bus/socket" status org.freedesktop.systemd1 > /dev/null 2>&1 && break; sleep 0.05; done
catalog "unix:path=$WORK/bus/socket"
measure dbusmock

# Real systemd.
if ADDRESS=$(scripts/systemd-container address 2> /dev/null) || ADDRESS=$(scripts/systemd-container start); then
    catalog "$ADDRESS"
    measure systemd-nspawn
else
    echo "real systemd: not available here (scripts/systemd-container start failed)"
fi
