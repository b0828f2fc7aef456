import DoctorCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// OTLP/HTTP: one POST per signal, each on its own connection, through NIOHTTP1's client codec. A 2xx status
/// is success; any other is an error with the status and the start of the body.
struct OTLPHTTPClient: Sendable {
    let group: any EventLoopGroup
    let headers: [(String, String)]
    let deadline: NIODeadline
    let timeoutText: String

    struct Request: Sendable {
        let endpoint: OTLPEndpoint
        let contentType: String
        let body: [UInt8]
    }

    /// Posts the requests in order, each once the one before has succeeded; the first failure ends the export.
    /// The whole exchange runs on one event loop and the caller waits once, at the end: a caller whose threads
    /// are busy elsewhere (a loaded cooperative pool) delays only when it reads the result, never the
    /// exchange, so the deadline measures the receiver and the network alone.
    func post(_ requests: [Request]) async throws(OTLPExportError) {
        let loop = group.any()
        var chain = loop.makeSucceededVoidFuture()
        for request in requests {
            chain = chain.flatMap { self.post(request, on: loop) }
        }
        try await chain.exportResult("")
    }

    /// One POST on its own connection; the future fails with an `OTLPExportError` only.
    private func post(_ request: Request, on loop: any EventLoop) -> EventLoopFuture<Void> {
        let endpoint = request.endpoint
        var fields = HTTPHeaders([
            ("Host", endpoint.authority), ("Content-Type", request.contentType), ("Content-Length", String(request.body.count)),
            ("Connection", "close"), ("User-Agent", "doctor/\(DoctorVersion.current)"),
        ])
        for (key, value) in headers where HTTPHeaderText.isValid(name: key, value: value) { fields.add(name: key, value: value) }
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: endpoint.path, headers: fields)
        let buffer = ByteBuffer(bytes: request.body)
        let promise = loop.makePromise(of: HTTPExchangeHandler.Response.self)
        let (url, deadline, timeoutText) = (endpoint.url, self.deadline, self.timeoutText)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(max(.zero, deadline - .now()))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(
                        HTTPExchangeHandler(url: url, head: head, body: buffer, deadline: deadline, timeoutText: timeoutText, promise: promise))
                }
            }
        ConnectFailure.connect(bootstrap, endpoint).whenFailure { error in
            promise.fail(ConnectFailure.describe(error, url: url, host: endpoint.host, timeoutText: timeoutText))
        }
        return promise.futureResult
            .exportFailures(url)
            .flatMapThrowing { response in
                guard (200..<300).contains(response.status.code) else {
                    let text = String(String.UnicodeScalarView(response.body.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }).prefix(300))
                    throw OTLPExportError("\(url) answered \(response.status.code) \(response.status.reasonPhrase)\(text.isEmpty ? "" : ": \(text)")")
                }
            }
    }
}
