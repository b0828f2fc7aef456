import DoctorCLI
import LoadAverage

// The built-in probes and formats, plus this package's.
await Entry.doctor(probes: [LoadAverageProbe.self], formatters: [CSVFormatter.self])
