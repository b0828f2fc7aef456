import DoctorCore
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix

/// OTLP/gRPC: one connection (cleartext HTTP/2 with prior knowledge, NIOHTTP2) and one unary call per signal on
/// it, one after the other. The connection's watcher and each call's handler decide how a call ends.
struct OTLPGRPCClient: Sendable {
    let group: any EventLoopGroup
    let headers: [(String, String)]
    let deadline: NIODeadline
    let timeoutText: String

    /// Calls each method (`/package.Service/Method`) with its message, in order; the first failure ends the export.
    /// Connecting and every call run on one event loop and the caller waits once, at the end (as
    /// `OTLPHTTPClient.post` does): the deadline measures the receiver and the network, not the caller's threads.
    func export(base: String, calls: [(method: String, message: [UInt8])]) async throws(OTLPExportError) {
        var resolved: [(target: OTLPEndpoint, message: [UInt8])] = []
        for call in calls { resolved.append((try OTLPEndpoint(base: base, appending: call.method, defaultPort: 4317), call.message)) }
        let targets = resolved
        guard let endpoint = targets.first?.target else { return }
        let (deadline, timeoutText) = (self.deadline, self.timeoutText)
        let loop = group.any()
        // The multiplexer and the watcher's state, handed out by the initializer: by the time the connect
        // future completes, a receiver's protocol error may already have closed the connection and emptied
        // the pipeline.
        let setup = loop.makePromise(of: (NIOHTTP2Handler.StreamMultiplexer, NIOLoopBound<GRPCConnectionState>).self)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(max(.zero, deadline - .now()))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    let multiplexer = try sync.configureHTTP2Pipeline(
                        mode: .client, connectionConfiguration: .init(), streamConfiguration: .init(),
                        inboundStreamInitializer: { pushed in pushed.close() })
                    let watcher = GRPCConnectionWatcher(deadline: deadline, timeoutText: timeoutText)
                    try sync.addHandler(watcher)
                    setup.succeed((multiplexer, NIOLoopBound(watcher.state, eventLoop: channel.eventLoop)))
                }
            }
        let exchange = ConnectFailure.connect(bootstrap, endpoint)
            .flatMapError { error -> EventLoopFuture<any Channel> in
                setup.fail(error)
                return loop.makeFailedFuture(ConnectFailure.describe(error, url: endpoint.url, host: endpoint.host, timeoutText: timeoutText))
            }
            .flatMap { channel in
                setup.futureResult
                    .flatMapErrorThrowing { error in throw OTLPExportError("\(endpoint.url): cannot set up HTTP/2 (\(error))") }
                    .flatMap { multiplexer, state in
                        var chain = loop.makeSucceededVoidFuture()
                        for (target, message) in targets {
                            chain = chain.flatMap { self.call(target, message: message, on: channel, multiplexer: multiplexer, state: state) }
                        }
                        return chain
                    }
                    .always { _ in channel.close(promise: nil) }
            }
        try await exchange.exportResult(endpoint.url)
    }

    private func call(
        _ target: OTLPEndpoint, message: [UInt8], on channel: any Channel, multiplexer: NIOHTTP2Handler.StreamMultiplexer,
        state: NIOLoopBound<GRPCConnectionState>
    ) -> EventLoopFuture<Void> {
        var fields: [(String, String)] = [
            (":method", "POST"), (":scheme", "http"), (":path", target.path), (":authority", target.authority),
            ("content-type", "application/grpc"), ("te", "trailers"), ("user-agent", "doctor/\(DoctorVersion.current)"),
        ]
        for (key, value) in headers where HTTPHeaderText.isValid(name: key, value: value) { fields.append((key.lowercased(), value)) }
        let headers = HPACKHeaders(fields)
        let buffer = ByteBuffer(bytes: message)
        let url = target.url
        let promise = channel.eventLoop.makePromise(of: Void.self)
        let created = channel.eventLoop.makePromise(of: (any Channel).self)
        created.futureResult.whenFailure { error in
            promise.fail(OTLPExportError("\(url): \(state.value.cause ?? "cannot open a stream (\(error))")"))
        }
        multiplexer.createStreamChannel(promise: created) { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandler(
                    GRPCCallHandler(target: url, headers: headers, message: buffer, state: state.value, promise: promise))
            }
        }
        return promise.futureResult.exportFailures(url)
    }
}
