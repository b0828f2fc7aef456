import NIOCore
import NIOHPACK
import NIOHTTP2

/// One unary gRPC call on its own HTTP/2 stream channel (NIOHTTP2's multiplexer does the framing, HPACK and
/// flow control): sends the request headers and the length-prefixed message, then reads the response. The
/// verdict is the `grpc-status` of the trailers, or of the only header block of a trailers-only response: 0 is
/// success; any other code fails the call with its name and `grpc-message`, even after a response message. A
/// `:status` other than 200, a stream that ends without a status, and a reset stream fail it too.
final class GRPCCallHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private let target: String
    private let headers: HPACKHeaders
    private let message: ByteBuffer
    private let state: GRPCConnectionState
    private let promise: EventLoopPromise<Void>
    private var blocks: [HPACKHeaders] = []
    private var sent = false
    private var done = false

    init(target: String, headers: HPACKHeaders, message: ByteBuffer, state: GRPCConnectionState, promise: EventLoopPromise<Void>) {
        self.target = target
        self.headers = headers
        self.message = message
        self.state = state
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        state.phase = "sending the request"
        var framed = context.channel.allocator.buffer(capacity: message.readableBytes + 5)
        framed.writeInteger(UInt8(0))  // not compressed
        framed.writeInteger(UInt32(message.readableBytes))
        framed.writeImmutableBuffer(message)
        context.write(wrapOutboundOut(.headers(.init(headers: headers))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        written.futureResult.whenSuccess {
            loopBound.value.sent = true
            loopBound.value.state.phase = "waiting for the response"
        }
        context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(framed), endStream: true))), promise: written)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .headers(let block):
            blocks.append(block.headers)
            if block.endStream { finish(context, verdict()) }
        case .data(let data):
            if data.endStream { finish(context, verdict()) }
        case .rstStream(let code):
            fail(context, "the receiver reset the stream (HTTP/2 error \(GRPCConnectionWatcher.name(code)))")
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let closed = error as? NIOHTTP2Errors.StreamClosed {
            fail(context, "the receiver reset the stream (HTTP/2 error \(GRPCConnectionWatcher.name(closed.errorCode)))")
        } else {
            fail(context, GRPCConnectionWatcher.describe(error))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(context, "the stream closed before the response ended")
        context.fireChannelInactive()
    }

    /// The call's outcome from the header blocks of a stream that ended.
    private func verdict() -> String? {
        guard let head = blocks.first else { return "the stream ended without response headers" }
        if let status = head.first(name: ":status"), status != "200" { return "the receiver answered HTTP \(status)" }
        // The status is in the trailers, or in the only header block of a trailers-only response.
        let trailers = blocks.last ?? head
        guard let code = trailers.first(name: "grpc-status") else { return "the stream ended without a grpc-status" }
        guard code == "0" else {
            let message = trailers.first(name: "grpc-message").map { ": " + GRPCStatus.message($0) } ?? ""
            return "the receiver answered with a gRPC error: grpc-status \(code) (\(GRPCStatus.name(code)))\(message)"
        }
        return sent ? nil : "the receiver answered before the request was sent"
    }

    /// Fails the call, with the connection's cause when there is one. Decided on the next tick of the event
    /// loop: a GOAWAY closes streams before it reaches the watcher.
    private func fail(_ context: ChannelHandlerContext, _ reason: String) {
        guard !done else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.assumeIsolated().execute {
            let (handler, context) = loopBound.value
            handler.finish(context, handler.state.cause ?? reason)
        }
    }

    private func finish(_ context: ChannelHandlerContext, _ failure: String?) {
        guard !done else { return }
        done = true
        if let failure {
            promise.fail(OTLPExportError("\(target): \(failure)"))
        } else {
            promise.succeed()
        }
        context.close(promise: nil)
    }
}
