// libsystemd (Debian: libsystemd-dev): sd-bus for the D-Bus probes, sd-daemon for `doctor serve`'s readiness and
// watchdog notifications. Only the non-variadic calls are usable from Swift.
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
