import NIOCore
import NIOHTTP1

/// One OTLP/HTTP request on its own connection (`Connection: close`), after NIOHTTP1's client codec: writes the
/// request when the connection is up, keeps the response's status and the start of its body, and completes
/// `promise` once, with the response or with a failure naming the URL and the cause. It owns the export's
/// deadline from the moment the connection is up: when it passes, the exchange fails and the connection closes.
final class HTTPExchangeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    struct Response: Sendable {
        var status: HTTPResponseStatus
        /// The start of the body (at most `bodyLimit` bytes), for an error message.
        var body: String
    }

    static let bodyLimit = 4096

    private let url: String
    private let head: HTTPRequestHead
    private let body: ByteBuffer
    private let deadline: NIODeadline
    private let timeoutText: String
    private let promise: EventLoopPromise<Response>
    private var response: HTTPResponseHead?
    private var received: ByteBuffer?
    private var sent = false
    private var done = false
    private var timer: Scheduled<Void>?

    init(url: String, head: HTTPRequestHead, body: ByteBuffer, deadline: NIODeadline, timeoutText: String, promise: EventLoopPromise<Response>) {
        self.url = url
        self.head = head
        self.body = body
        self.deadline = deadline
        self.timeoutText = timeoutText
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = loopBound.value
            let what = handler.sent ? "waiting for the response" : "sending the request"
            handler.finish(context, .failure(OTLPExportError("\(handler.url): \(what) did not finish before the export timeout (\(handler.timeoutText))")))
        }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenSuccess { loopBound.value.0.sent = true }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            response = head
            received = context.channel.allocator.buffer(capacity: 256)
        case .body(var part):
            if var buffer = received, buffer.readableBytes < Self.bodyLimit {
                buffer.writeImmutableBuffer(part.readSlice(length: min(part.readableBytes, Self.bodyLimit - buffer.readableBytes))!)
                received = buffer
            }
        case .end:
            guard let response else { return }
            // 1xx answers are interim (RFC 9110 §15.2): the codec hands them on, the final answer follows.
            if (100..<200).contains(response.status.code) && response.status != .switchingProtocols {
                self.response = nil
                return
            }
            let text = received.map { String(buffer: $0) } ?? ""
            finish(context, .success(Response(status: response.status, body: text)))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(context, .failure(describe(error)))
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(context, .failure(closedEarly))
        context.fireChannelInactive()
    }

    private var closedEarly: OTLPExportError {
        guard let response else { return OTLPExportError("\(url): the receiver closed the connection without an answer") }
        if response.headers.first(name: "content-length") != nil {
            return OTLPExportError("\(url): the response ended before the body its Content-Length announced")
        }
        return OTLPExportError("\(url): the connection closed before the end of the response")
    }

    private func describe(_ error: any Error) -> OTLPExportError {
        switch error {
        // The peer closed in the middle of a message (RFC 9112 §8: an incomplete message, never an answer).
        case HTTPParserError.invalidEOFState: closedEarly
        case let error as HTTPParserError: OTLPExportError("\(url): not an HTTP response (\(error))")
        case let error as IOError: OTLPExportError("\(url): the connection failed: \(ConnectFailure.reason(error))")
        default: OTLPExportError("\(url): \(error)")
        }
    }

    private func finish(_ context: ChannelHandlerContext, _ result: Result<Response, OTLPExportError>) {
        guard !done else { return }
        done = true
        timer?.cancel()
        switch result {
        case .success(let response): promise.succeed(response)
        case .failure(let failure): promise.fail(failure)
        }
        context.close(promise: nil)
    }
}
