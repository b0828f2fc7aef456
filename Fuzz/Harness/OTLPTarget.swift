@testable import DoctorExport
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Synchronization

/// What an OTLP/HTTP collector answers, read by the exporter's pipeline (NIOHTTP1's client codec and the
/// exchange handler) on an embedded channel: the request is written, the input arrives as the response in two
/// reads, and the connection closes. Every answer must end the exchange with a verdict (success or an error),
/// never leave it open: a missing verdict stops the harness. The rest of the input is also read as a gRPC
/// status code and message.
enum OTLPTarget {
    /// Whether the exchange reached a verdict.
    final class Verdict: Sendable {
        let reached = Mutex(false)
    }

    static func run(_ bytes: [UInt8]) {
        let channel = EmbeddedChannel()
        let promise = channel.eventLoop.makePromise(of: HTTPExchangeHandler.Response.self)
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/v1/metrics", headers: ["Host": "collector", "Content-Length": "2"])
        do {
            try channel.pipeline.syncOperations.addHTTPClientHandlers()
            try channel.pipeline.syncOperations.addHandler(HTTPExchangeHandler(
                url: "http://collector/v1/metrics", head: head, body: ByteBuffer(bytes: [1, 2]), deadline: .now() + .seconds(60),
                timeoutText: "60s", promise: promise))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4318)).wait()
        } catch {
            fatalError("doctor-fuzz: the embedded exchange does not start: \(error)")
        }
        let half = bytes.count / 2
        _ = try? channel.writeInbound(ByteBuffer(bytes: bytes[..<half]))
        _ = try? channel.writeInbound(ByteBuffer(bytes: bytes[half...]))
        _ = try? channel.close().wait()
        _ = try? channel.finish()
        let verdict = Verdict()
        promise.futureResult.whenComplete { _ in verdict.reached.withLock { $0 = true } }
        guard verdict.reached.withLock({ $0 }) else { fatalError("doctor-fuzz: an OTLP/HTTP answer left the exchange without a verdict") }
        let text = String(decoding: bytes, as: UTF8.self)
        _ = GRPCStatus.name(text)
        _ = GRPCStatus.message(text)
    }
}
