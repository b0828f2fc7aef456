/// What the handlers of one OTLP/gRPC connection share, on its event loop: where the export stands (for the
/// timeout's message) and, once the connection failed, why. A call whose stream ends early reports that cause
/// rather than its own symptom (a closed stream).
final class GRPCConnectionState {
    /// What the export is doing: "connecting", "sending the request", "waiting for the response".
    var phase = "connecting"
    /// Why the connection failed (a protocol error of the receiver, GOAWAY, the timeout), without the URL.
    var cause: String?
}
