/// Which extra headers (`--otlp-header`, `OTEL_EXPORTER_OTLP_HEADERS`) can go on the wire: a token for a name
/// and no control characters but tab in the value (RFC 9110 §5.1, §5.5). Others are left out rather than sent
/// as something else.
enum HTTPHeaderText {
    static func isValid(name: String, value: String) -> Bool {
        let tokenPunctuation = Set("!#$%&'*+-.^_`|~".unicodeScalars)
        let nameOK = !name.isEmpty && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || tokenPunctuation.contains($0)) }
        let valueOK = value.unicodeScalars.allSatisfy { $0 == "\t" || ($0.value >= 0x20 && $0.value != 0x7F) }
        return nameOK && valueOK
    }
}
