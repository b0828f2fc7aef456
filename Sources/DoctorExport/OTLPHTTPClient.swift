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

    func post(_ endpoint: OTLPEndpoint, contentType: String, body: [UInt8]) async throws(OTLPExportError) {
        var fields = HTTPHeaders([
            ("Host", endpoint.authority), ("Content-Type", contentType), ("Content-Length", String(body.count)), ("Connection", "close"),
            ("User-Agent", "doctor/\(DoctorVersion.current)"),
        ])
        for (key, value) in headers where HTTPHeaderText.isValid(name: key, value: value) { fields.add(name: key, value: value) }
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: endpoint.path, headers: fields)
        let buffer = ByteBuffer(bytes: body)
        let promise = group.any().makePromise(of: HTTPExchangeHandler.Response.self)
        let (url, deadline, timeoutText) = (endpoint.url, self.deadline, self.timeoutText)
        let bootstrap = ClientBootstrap(group: promise.futureResult.eventLoop)
            .connectTimeout(max(.zero, deadline - .now()))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(
                        HTTPExchangeHandler(url: url, head: head, body: buffer, deadline: deadline, timeoutText: timeoutText, promise: promise))
                }
            }
        do {
            _ = try await ConnectFailure.connect(bootstrap, endpoint).get()
        } catch {
            promise.fail(error)
            throw ConnectFailure.describe(error, url: url, host: endpoint.host, timeoutText: timeoutText)
        }
        let response: HTTPExchangeHandler.Response
        do {
            response = try await promise.futureResult.get()
        } catch let error as OTLPExportError {
            throw error
        } catch {
            throw OTLPExportError("\(url): \(error)")
        }
        guard (200..<300).contains(response.status.code) else {
            let text = String(String.UnicodeScalarView(response.body.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }).prefix(300))
            throw OTLPExportError("\(url) answered \(response.status.code) \(response.status.reasonPhrase)\(text.isEmpty ? "" : ": \(text)")")
        }
    }
}
