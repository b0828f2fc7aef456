"""python-dbusmock template: org.freedesktop.systemd1 with the units of a JSON file, at the object paths real
systemd uses (its bus-label escaping: every byte but ASCII letters, and digits after the first byte, becomes
_xx), with the Unit interface and the type-specific one (org.freedesktop.systemd1.Service).

Started by the tests as
    /usr/bin/python3 -m dbusmock --session --template Tests/Fixtures/dbusmock/systemd_units.py \
        --parameters '{"units_file": "...", "main_pid": 1234}'
Manager.GetUnit answers for the units it knows and raises org.freedesktop.systemd1.NoSuchUnit otherwise, as
systemd does for a unit that is not loaded.
"""

import json

import dbus
from dbusmock import mockobject

BUS_NAME = "org.freedesktop.systemd1"
MAIN_OBJ = "/org/freedesktop/systemd1"
MAIN_IFACE = "org.freedesktop.systemd1.Manager"
SYSTEM_BUS = False

UNIT_IFACE = "org.freedesktop.systemd1.Unit"

# D-Bus types of the properties systemd exposes (see org.freedesktop.systemd1(5)).
TYPES = {
    "MainPID": dbus.UInt32,
    "NRestarts": dbus.UInt32,
    "WatchdogUSec": dbus.UInt64,
    "MemoryMax": dbus.UInt64,
    "LimitMEMLOCK": dbus.UInt64,
    "LimitCORE": dbus.UInt64,
    "RestartUSec": dbus.UInt64,
    "PrivateNetwork": dbus.Boolean,
    "NoNewPrivileges": dbus.Boolean,
    "StartLimitBurst": dbus.UInt32,
}


def escape(name):
    """systemd's bus_label_escape."""
    out = []
    for index, byte in enumerate(name.encode()):
        char = chr(byte)
        if ("a" <= char <= "z") or ("A" <= char <= "Z") or (index > 0 and "0" <= char <= "9"):
            out.append(char)
        else:
            out.append("_%02x" % byte)
    return "".join(out) or "_"


def unit_path(name):
    return "/org/freedesktop/systemd1/unit/" + escape(name)


def typed(key, value):
    convert = TYPES.get(key)
    return convert(value) if convert else dbus.String(value)


def load(mock, parameters):
    with open(parameters["units_file"]) as handle:
        units = json.load(handle)["units"]
    main_pid = int(parameters.get("main_pid", 0))
    # Per-unit main processes: {"open-sesame-profile.service": 1234, ...}; "MAIN_PID" otherwise.
    main_pids = {name: int(pid) for name, pid in parameters.get("main_pids", {}).items()}
    mock.AddProperties(MAIN_IFACE, {"Version": dbus.String("252 (doctor mock)")})
    known = {}
    for unit in units:
        path = unit_path(unit["Id"])
        generic = {key: typed(key, value) for key, value in unit.items() if key != "Service"}
        generic["Names"] = dbus.Array([unit["Id"]], signature="s")
        mock.AddObject(path, UNIT_IFACE, generic, [])
        pid = main_pids.get(unit["Id"], main_pid)
        service = {key: typed(key, pid if value == "MAIN_PID" else value) for key, value in unit.get("Service", {}).items()}
        mockobject.objects[path].AddProperties("org.freedesktop.systemd1.Service", service)
        known[unit["Id"]] = path
    mock.known_units = known
    mock.AddMethod(
        MAIN_IFACE, "GetUnit", "s", "o",
        "if args[0] not in self.known_units:\n"
        "    raise dbus.exceptions.DBusException('Unit ' + args[0] + ' not loaded.', name='org.freedesktop.systemd1.NoSuchUnit')\n"
        "ret = dbus.ObjectPath(self.known_units[args[0]])")
