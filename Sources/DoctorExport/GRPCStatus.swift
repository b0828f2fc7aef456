/// gRPC status codes and messages as a response carries them (grpc/doc/statuscodes.md; gRPC over HTTP/2,
/// "Responses").
enum GRPCStatus {
    /// The name of a status code.
    static func name(_ code: String) -> String {
        let names = [
            "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
            "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
            "UNAUTHENTICATED",
        ]
        guard let number = Int(code), names.indices.contains(number) else { return "unknown code" }
        return names[number]
    }

    /// `grpc-message` is percent-encoded; shown decoded, control characters dropped, at most 300 characters.
    static func message(_ text: String) -> String {
        let input = Array(text.utf8)
        var bytes: [UInt8] = []
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "%"), index + 2 < input.count,
                let value = UInt8(String(decoding: input[index + 1...index + 2], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(input[index])
                index += 1
            }
        }
        let decoded = String(decoding: bytes, as: UTF8.self).unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }
        return String(String.UnicodeScalarView(decoded).prefix(300))
    }
}
