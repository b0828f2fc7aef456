import NIOCore
import NIOHTTP2

/// Sits after NIOHTTP2Handler on an OTLP/gRPC connection: turns connection errors (a SETTINGS value outside
/// RFC 9113's ranges, any other protocol error NIOHTTP2 detects) and GOAWAY into the connection's cause, and
/// enforces the export's deadline. A connection error or the deadline closes the connection, which ends the
/// open stream; its call then fails with the cause.
final class GRPCConnectionWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame

    let state = GRPCConnectionState()
    private let deadline: NIODeadline
    private let timeoutText: String
    private var timer: Scheduled<Void>?

    init(deadline: NIODeadline, timeoutText: String) {
        self.deadline = deadline
        self.timeoutText = timeoutText
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (watcher, context) = loopBound.value
            watcher.state.cause = watcher.state.cause ?? "\(watcher.state.phase) did not finish before the export timeout (\(watcher.timeoutText))"
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if case .goAway(_, let code, _) = frame.payload, code != .noError {
            state.cause = state.cause ?? "the receiver closed the connection (GOAWAY, HTTP/2 error \(GRPCConnectionWatcher.name(code)))"
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        state.cause = state.cause ?? GRPCConnectionWatcher.describe(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        state.cause = state.cause ?? "the receiver closed the connection"
        context.fireChannelInactive()
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as NIOHTTP2Errors.InvalidSetting:
            let value = error.setting.value
            switch error.setting.parameter {
            case .maxFrameSize:
                return "the receiver sent SETTINGS_MAX_FRAME_SIZE \(value), outside 16384…16777215 (HTTP/2 PROTOCOL_ERROR, RFC 9113 §6.5.2)"
            case .initialWindowSize:
                return "the receiver sent SETTINGS_INITIAL_WINDOW_SIZE \(value), above 2^31-1 (HTTP/2 FLOW_CONTROL_ERROR, RFC 9113 §6.5.2)"
            case .enablePush:
                return "the receiver sent SETTINGS_ENABLE_PUSH \(value), neither 0 nor 1 (HTTP/2 PROTOCOL_ERROR, RFC 9113 §6.5.2)"
            default:
                return "the receiver sent an invalid HTTP/2 setting (\(error.setting.parameter) = \(value))"
            }
        case let error as IOError:
            return "the connection failed: \(ConnectFailure.reason(error))"
        case let error as any NIOHTTP2Error:
            return "the receiver broke the HTTP/2 protocol (\(error))"
        default:
            return "the connection failed: \(error)"
        }
    }

    /// An HTTP/2 error code with its RFC 9113 §7 name.
    static func name(_ code: HTTP2ErrorCode) -> String {
        let names = [
            "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR",
            "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED",
        ]
        let number = code.networkCode
        return names.indices.contains(number) ? "\(number) \(names[number])" : "\(number)"
    }
}
