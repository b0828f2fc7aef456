public import DoctorCore

/// The formats that ship with doctor.
public enum BuiltInFormatters {
    public static let all: [any ResultFormatter.Type] = [
        JSONFormatter.self,
        JUnitFormatter.self,
        PrometheusFormatter.self,
        TextFormatter.self,
    ]

    public static var registry: FormatterRegistry { FormatterRegistry(all) }
}
