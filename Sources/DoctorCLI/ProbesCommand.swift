import ArgumentParser
import DoctorCore
import DoctorFormatters

/// `doctor probes`: the probe types this build knows.
struct ProbesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "probes", abstract: "List the probe types and what they observe.")

    func run() async throws {
        var out = ""
        for probe in Toolbox.current.probes.sorted {
            let spec = probe.spec
            out += "\(spec.type.padding(14)) \(spec.summary)\n"
            out += "".padding(15) + "parameters: " + spec.parameters.map(\.name).joined(separator: ", ") + "\n"
            out += "".padding(15) + "observes:   " + spec.observations.map(\.name).joined(separator: ", ") + "\n"
        }
        Console.out(out)
    }
}
