import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A probe whose `observe` never waits on anything outside the process for long (a few system calls on local
/// files, reading the environment). The runner calls it inline instead of racing it against a timer, which
/// keeps the per-check cost of large catalogs in microseconds; it must still check `context.deadline` in any
/// loop whose length it does not control.
public protocol BoundedProbe: Probe {}
