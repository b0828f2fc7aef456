// libsystemd's sd-bus (Debian: libsystemd-dev). Only the non-variadic calls are usable from Swift.
#include <systemd/sd-bus.h>
