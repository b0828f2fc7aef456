import ArgumentParser
import DoctorCore

// The core's types that command-line options parse directly. The option groups themselves live in files named
// after them (CatalogOptions.swift, SelectionOptions.swift, OutputOptions.swift, …).
extension Severity: ExpressibleByArgument {}
