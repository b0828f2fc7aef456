import ArgumentParser
import DoctorCore
import Foundation

/// Entry points for the executables (they stay one line each).
public enum Entry {
    public static func doctor() async { await Doctor.main() }

    /// `doctor` with an extension package's probes and formatters registered next to the built-ins: the one
    /// call an extension's `main.swift` makes (docs/extending.md). A name that is already taken stops the
    /// program with a message naming it.
    public static func doctor(probes: [any Probe.Type] = [], formatters: [any ResultFormatter.Type] = []) async {
        var toolbox = Toolbox()
        for probe in probes {
            guard toolbox.probes[probe.spec.type] == nil else {
                Console.err("doctor: the extension's probe type '\(probe.spec.type)' is already registered; choose another name")
                Glibc.exit(70)
            }
            toolbox.probes.register(probe)
        }
        for formatter in formatters {
            guard toolbox.formatters[formatter.name] == nil else {
                Console.err("doctor: the extension's format '\(formatter.name)' is already registered; choose another name")
                Glibc.exit(70)
            }
            toolbox.formatters.register(formatter)
        }
        await Toolbox.$current.withValue(toolbox) { await Doctor.main() }
    }
    public static func sesame() async { await Sesame.main() }
}
