// libsystemd (Debian: libsystemd-dev): sd-bus for the D-Bus probes, sd-journal for the journal probe, sd-daemon
// for `doctor serve`'s readiness and watchdog notifications. Only the non-variadic calls are usable from Swift.
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
