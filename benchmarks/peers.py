#!/usr/bin/env python3
"""Side-by-side benchmark: doctor against pytest-testinfra, OpenSCAP and the one-stat-process floor.

Every tool checks the same real files (exists, regular file, exact mode, owner) in one invocation, at
N = 100, 1,000 and 10,000, plus a mixed workload (files, Unix sockets, environment variables, and D-Bus
names once doctor has a `dbus` probe). Wall time: hyperfine median and min–max; peak RSS: GNU time.
Each tool's verdict is checked (all checks must pass), so no tool is timed doing nothing.

usage: benchmarks/peers.py --doctor PATH [--sizes 100 1000 10000] [--quick] [--write docs/performance.md]
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work"
UID = os.geteuid()


def make_files(directory: Path, n: int):
    """N files with varied modes (mostly 0600, every seventh 0644); returns [(path, mode)]."""
    directory.mkdir(parents=True, exist_ok=True)
    cases = []
    for i in range(n):
        path = directory / f"f{i:05d}"
        mode = 0o644 if i % 7 == 0 else 0o600
        if not path.exists():
            path.write_text("x" * (i % 64))
        os.chmod(path, mode)
        cases.append((str(path), mode))
    return cases


# ---------------------------------------------------------------- doctor

def doctor_catalog(out: Path, files, sockets, env, dbus_names, bus=""):
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.yaml"):
        old.unlink()
    checks = []
    for i, (path, mode) in enumerate(files):
        checks.append(f"- id: file-{i:05d}\n  title: file {i}\n  category: configuration\n  severity: medium\n"
                      f"  probe: {{type: file, path: \"{path}\"}}\n"
                      f"  expect: {{exists: true, type: file, mode: \"{mode:04o}\", owner: {UID}}}\n")
    for i, (path, mode) in enumerate(sockets):
        checks.append(f"- id: sock-{i:05d}\n  title: socket {i}\n  category: ipc-connectivity\n  severity: medium\n"
                      f"  probe: {{type: file, path: \"{path}\"}}\n"
                      f"  expect: {{type: socket, mode: \"{mode:04o}\", owner: {UID}}}\n")
    for i, (name, value) in enumerate(env):
        checks.append(f"- id: env-{i:05d}\n  title: env {i}\n  category: configuration\n  severity: low\n"
                      f"  probe: {{type: env, name: {name}}}\n  expect: {{value: \"{value}\"}}\n")
    for i, name in enumerate(dbus_names):
        checks.append(f"- id: dbus-{i:05d}\n  title: bus name {i}\n  category: platform-integration\n  severity: low\n"
                      f"  probe: {{type: dbus, address: \"{bus}\", name: {name}}}\n  expect: {{owned: true}}\n")
    for start in range(0, len(checks), 500):
        (out / f"checks-{start // 500:03d}.yaml").write_text("".join(checks[start:start + 500]))


# ---------------------------------------------------------------- testinfra

TESTINFRA = '''\
import json
import os
import pytest

CASES = json.load(open(os.path.join(os.path.dirname(__file__), "cases.json")))


@pytest.mark.parametrize("path,mode,uid", CASES["files"])
def test_file(host, path, mode, uid):
    f = host.file(path)
    assert f.is_file
    assert f.mode == mode
    assert f.uid == uid


@pytest.mark.parametrize("path,mode,uid", CASES["sockets"])
def test_socket(host, path, mode, uid):
    f = host.file(path)
    assert f.is_socket
    assert f.mode == mode
    assert f.uid == uid


@pytest.mark.parametrize("name,value", CASES["env"])
def test_env(host, name, value):
    assert host.environment()[name] == value


@pytest.mark.parametrize("name", CASES["dbus"])
def test_dbus_name(host, name):
    assert host.run("busctl --address=" + CASES["bus"] + " status " + name).rc == 0
'''


def testinfra_suite(out: Path, files, sockets, env, dbus_names, bus=""):
    out.mkdir(parents=True, exist_ok=True)
    (out / "test_workload.py").write_text(TESTINFRA)
    (out / "cases.json").write_text(json.dumps({
        "files": [[p, m, UID] for p, m in files], "sockets": [[p, m, UID] for p, m in sockets],
        "env": [[n, v] for n, v in env], "dbus": list(dbus_names), "bus": bus}))


BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>{address}</listen>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
"""

NAME_HOLDER = """
import sys, time
from jeepney.io.blocking import open_dbus_connection
from jeepney.bus_messages import message_bus
connection = open_dbus_connection(bus=sys.argv[1])
for name in sys.argv[2:]:
    reply = connection.send_and_get_reply(message_bus.RequestName(name))
    assert reply.body[0] == 1, (name, reply.body)
print("ready", flush=True)
time.sleep(3600)
"""


def private_bus(base: Path, names):
    """A dbus-daemon on a private socket, and a jeepney client holding `names`; returns (address, processes)."""
    base.mkdir(parents=True, exist_ok=True)
    address = f"unix:path={base / 'bus'}"
    (base / "bus.conf").write_text(BUS_CONFIG.format(address=address))
    if (base / "bus").exists():
        (base / "bus").unlink()
    daemon = subprocess.Popen(["dbus-daemon", f"--config-file={base / 'bus.conf'}", "--nofork", "--nopidfile"])
    for _ in range(200):
        if (base / "bus").exists():
            break
        time.sleep(0.01)
    holder = subprocess.Popen([sys.executable, "-c", NAME_HOLDER, address] + list(names), stdout=subprocess.PIPE, text=True)
    if holder.stdout.readline().strip() != "ready":
        sys.exit("the D-Bus name holder did not start")
    return address, [holder, daemon]


# ---------------------------------------------------------------- OpenSCAP

def definition(n: int) -> str:
    """An OVAL definition whose single criterion is test n."""
    return (f'<definition class="compliance" id="oval:doctor.bench:def:{n}" version="1"><metadata><title>{n}</title>'
            f'<description>{n}</description></metadata><criteria><criterion test_ref="oval:doctor.bench:tst:{n}"/></criteria></definition>')


def oval_document(out: Path, files, sockets, env):
    bits = ["suid", "sgid", "sticky", "uread", "uwrite", "uexec", "gread", "gwrite", "gexec", "oread", "owrite", "oexec"]
    masks = [0o4000, 0o2000, 0o1000, 0o400, 0o200, 0o100, 0o40, 0o20, 0o10, 0o4, 0o2, 0o1]
    definitions, tests, objects, states = [], [], [], []
    n = 0
    for kind, items in (("regular", files), ("socket", sockets)):
        for path, mode in items:
            n += 1
            definitions.append(definition(n))
            tests.append(f'<unix:file_test check="all" check_existence="at_least_one_exists" id="oval:doctor.bench:tst:{n}" version="1" comment="{n}">'
                         f'<unix:object object_ref="oval:doctor.bench:obj:{n}"/><unix:state state_ref="oval:doctor.bench:ste:{n}"/></unix:file_test>')
            objects.append(f'<unix:file_object id="oval:doctor.bench:obj:{n}" version="1"><unix:filepath>{path}</unix:filepath></unix:file_object>')
            flags = "".join(f'<unix:{b} datatype="boolean">{"true" if mode & m else "false"}</unix:{b}>' for b, m in zip(bits, masks))
            states.append(f'<unix:file_state id="oval:doctor.bench:ste:{n}" version="1"><unix:type>{kind}</unix:type>'
                          f'<unix:user_id datatype="int">{UID}</unix:user_id>{flags}</unix:file_state>')
    for name, value in env:
        n += 1
        definitions.append(definition(n))
        tests.append(f'<ind:environmentvariable58_test check="all" check_existence="at_least_one_exists" id="oval:doctor.bench:tst:{n}" version="1" comment="{n}">'
                     f'<ind:object object_ref="oval:doctor.bench:obj:{n}"/><ind:state state_ref="oval:doctor.bench:ste:{n}"/></ind:environmentvariable58_test>')
        objects.append(f'<ind:environmentvariable58_object id="oval:doctor.bench:obj:{n}" version="1"><ind:pid xsi:nil="true" datatype="int"/>'
                       f'<ind:name>{name}</ind:name></ind:environmentvariable58_object>')
        states.append(f'<ind:environmentvariable58_state id="oval:doctor.bench:ste:{n}" version="1"><ind:value>{value}</ind:value></ind:environmentvariable58_state>')
    out.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5" '
        'xmlns:unix="http://oval.mitre.org/XMLSchema/oval-definitions-5#unix" xmlns:ind="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<generator><oval:product_name>doctor benchmarks</oval:product_name><oval:schema_version>5.11</oval:schema_version>'
        '<oval:timestamp>2026-11-24T00:00:00</oval:timestamp></generator>\n'
        f'<definitions>{"".join(definitions)}</definitions>\n<tests>{"".join(tests)}</tests>\n'
        f'<objects>{"".join(objects)}</objects>\n<states>{"".join(states)}</states>\n</oval_definitions>\n')
    return n


# ---------------------------------------------------------------- measuring

def hyperfine(command: str, runs: int, warmup: int, export: Path):
    subprocess.run(["hyperfine", "-N", "--warmup", str(warmup), "--runs", str(runs), "--export-json", str(export), command],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    result = json.loads(export.read_text())["results"][0]
    return result["median"] * 1e3, result["min"] * 1e3, result["max"] * 1e3


def timed(command: str):
    """One run under GNU time: (wall ms, peak RSS MB, exit code, stdout)."""
    start = time.monotonic()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M"] + command.split(), capture_output=True, text=True)
    wall = (time.monotonic() - start) * 1e3
    rss = int(proc.stderr.strip().splitlines()[-1]) / 1024
    return wall, rss, proc.returncode, proc.stdout


def measure(name, workload, n, command, runs, verify, rows, tag):
    wall, rss, code, out = timed(command)
    ok = verify(code, out)
    if runs > 1:
        median, low, high = hyperfine(command, runs, 1 if runs >= 5 else 0, WORK / f"hf-{tag}.json")
    else:
        median, low, high = wall, wall, wall
    rows.append({"tool": name, "workload": workload, "n": n, "median": median, "min": low, "max": high, "rss": rss, "ok": ok, "runs": runs})
    print(f"  {name:<28} {workload:<6} N={n:<6} {median:9.1f} ms  ({low:.1f}–{high:.1f}, {runs} runs)  {rss:6.1f} MB  {'ok' if ok else 'WRONG RESULT'}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--doctor", required=True)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 10000])
    parser.add_argument("--quick", action="store_true", help="fewer runs of the slow peers")
    parser.add_argument("--write", help="replace the generated section of this Markdown file")
    args = parser.parse_args()
    doctor = str(Path(args.doctor).resolve())
    for tool in ("hyperfine", "oscap", "stat"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: run ./scripts/bootstrap")
    subprocess.run([sys.executable, "-c", "import testinfra"], check=True)
    WORK.mkdir(parents=True, exist_ok=True)
    rows = []
    env = os.environ
    env["DOCTOR_CACHE_DIR"] = str(WORK / "doctor-cache")

    def doctor_ok(code, out):
        return code == 0

    def pytest_ok(code, out):
        return code == 0

    def make_oscap_ok(expected):
        return lambda code, out: code == 0 and out.count(": true") == expected and ": false" not in out

    def stat_ok(code, out):
        return code == 0

    dbus_capable = "dbus " in subprocess.run([doctor, "probes"], capture_output=True, text=True).stdout
    sizes = args.sizes
    workloads = [("files", n) for n in sizes] + [("mixed", 1000)]
    servers = []
    try:
        for workload, n in workloads:
            base = WORK / f"{workload}-{n}"
            if workload == "files":
                files, sockets, env_vars = make_files(base / "files", n), [], []
            else:
                files = make_files(base / "files", int(n * 0.8))
                sockets = []
                (base / "sockets").mkdir(parents=True, exist_ok=True)
                for i in range(n // 10):
                    path = base / "sockets" / f"s{i:04d}.sock"
                    if path.exists():
                        path.unlink()
                    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    server.bind(str(path))
                    server.listen(1)
                    os.chmod(path, 0o600)
                    servers.append(server)
                    sockets.append((str(path), 0o600))
                dbus_count = n // 50 if dbus_capable else 0
                env_vars = [(f"DOCTOR_BENCH_{i:04d}", f"value-{i}") for i in range(n - len(files) - len(sockets) - dbus_count)]
                for name, value in env_vars:
                    env[name] = value
            dbus_names, bus = [], ""
            if workload == "mixed" and dbus_capable:
                dbus_names = [f"org.doctor.bench.Name{i:03d}" for i in range(dbus_count)]
                bus, processes = private_bus(base / "dbus", dbus_names)
                servers += processes
            doctor_catalog(base / "catalog", files, sockets, env_vars, dbus_names, bus)
            testinfra_suite(base / "testinfra", files, sockets, env_vars, dbus_names, bus)
            total = oval_document(base / "oval.xml", files, sockets, env_vars)
            (base / "paths.txt").write_text("\n".join(p for p, _ in files + sockets) + "\n")
            # hyperfine -N runs commands without a shell: the floor's redirections live in a script.
            (base / "stat-floor.sh").write_text(f"xargs stat -c '%F %a %u' < {base / 'paths.txt'} > /dev/null\n")
            slow = 1 if args.quick else None
            print(f"{workload} N={n}:", flush=True)
            subprocess.run([doctor, "validate", "--quiet", "--catalog", str(base / "catalog")], check=True)  # fills the cache
            measure("doctor", workload, n, f"{doctor} run --catalog {base / 'catalog'} --output {base / 'report.txt'}", 10, doctor_ok, rows, f"d{workload}{n}")
            measure("doctor (no cache)", workload, n, f"{doctor} run --no-cache --catalog {base / 'catalog'} --output {base / 'report.txt'}", 10, doctor_ok, rows, f"dn{workload}{n}")
            measure("stat floor (1 stat process)", workload, n, f"sh {base / 'stat-floor.sh'}", 10, stat_ok, rows, f"s{workload}{n}")
            oscap_runs = slow or (5 if n <= 1000 else 3)
            measure("OpenSCAP oscap oval eval", workload, n, f"oscap oval eval {base / 'oval.xml'}", oscap_runs, make_oscap_ok(total), rows, f"o{workload}{n}")
            testinfra_runs = slow or (3 if n <= 100 else 1)
            measure("pytest-testinfra", workload, n, f"{sys.executable} -m pytest -q -p no:cacheprovider {base / 'testinfra' / 'test_workload.py'}", testinfra_runs, pytest_ok, rows, f"t{workload}{n}")
    finally:
        for server in servers:
            if isinstance(server, subprocess.Popen):
                server.kill()
            else:
                server.close()

    table = render(rows, dbus_capable)
    print()
    print(table)
    if args.write:
        target = Path(args.write)
        text = target.read_text()
        begin, end = "<!-- peers:begin -->", "<!-- peers:end -->"
        if begin in text and end in text:
            text = text[:text.index(begin) + len(begin)] + "\n" + table + "\n" + text[text.index(end):]
            target.write_text(text)
            print(f"\nwrote {target}")


def render(rows, dbus_capable):
    doctor = {(r["workload"], r["n"]): r for r in rows if r["tool"] == "doctor"}
    lines = ["| tool | workload | checks | median wall ms | min–max ms | runs | peak RSS MB | × doctor | verdict |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        ratio = r["median"] / doctor[(r["workload"], r["n"])]["median"]
        lines.append(f"| {r['tool']} | {r['workload']} | {r['n']:,} | {r['median']:,.1f} | {r['min']:,.1f}–{r['max']:,.1f} | {r['runs']} | "
                     f"{r['rss']:.1f} | {ratio:,.1f} | {'all pass' if r['ok'] else 'WRONG'} |")
    machine = subprocess.run(["sh", "-c", "echo $(nproc) cores, $(awk '/MemTotal/ {printf \"%.0f GiB\", $2/1048576}' /proc/meminfo), $(uname -sr)"],
                             capture_output=True, text=True).stdout.strip()
    versions = subprocess.run(["sh", "-c", "oscap --version | head -1; python3 -m pip show pytest-testinfra | grep Version; hyperfine --version"],
                              capture_output=True, text=True).stdout.strip().replace("\n", "; ")
    lines += ["", f"Machine: {machine}. {versions}. Measured {time.strftime('%Y-%m-%d')}.",
              "Mixed workload (1,000 checks): 80 % files, 10 % listening Unix sockets (socket file type, mode, owner), "
              + ("8 % environment variables, 2 % D-Bus names held on a private dbus-daemon (doctor: `dbus` probe; testinfra: "
                 "`busctl status`). OVAL has no D-Bus test, so OpenSCAP checks the other 980 and the stat floor only the 900 paths."
                 if dbus_capable else "10 % environment variables; D-Bus names join it when doctor has its `dbus` probe.")]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
