"""python-dbusmock template: a hostile D-Bus service for the dbus probe's fault tests (issue 20). It owns
org.doctor.Hostile and serves, on /org/doctor/Hostile, interface org.doctor.Hostile:

- property Count: a string where a number is expected (the wrong type);
- property Huge: an array of 1,000,000 uint32 (a 4 MB reply);
- method GetNever: never answers while the test lasts (sleeps 60 s, which blocks this mock's main loop, so a
  test puts it on a mock of its own).

Started as
    /usr/bin/python3 -m dbusmock --session --template Tests/Fixtures/dbusmock/hostile_service.py
"""

import dbus

BUS_NAME = "org.doctor.Hostile"
MAIN_OBJ = "/org/doctor/Hostile"
MAIN_IFACE = "org.doctor.Hostile"
SYSTEM_BUS = False


def load(mock, parameters):
    mock.AddProperties(MAIN_IFACE, {
        "Count": dbus.String("not a number"),
        "Huge": dbus.Array([dbus.UInt32(i) for i in range(1_000_000)], signature="u"),
    })
    mock.AddMethod(MAIN_IFACE, "GetNever", "", "u", "import time; time.sleep(60); ret = dbus.UInt32(1)")
