import DoctorCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// HTTP/1.1 for `doctor serve`, on SwiftNIO: one task per connection, keep-alive, `HEAD`, Server-Sent Events,
/// an idle timeout for clients that connect and send nothing, and a drain on shutdown.
public final class HTTPServer: Sendable {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    typealias Listening = NIOAsyncChannel<Connection, Never>

    /// Where to listen.
    public enum Address: Sendable, CustomStringConvertible {
        case unix(path: String)
        case tcp(host: String, port: Int)

        public var description: String {
            switch self {
            case .unix(let path): "unix:\(path)"
            case .tcp(let host, let port): host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
            }
        }
    }

    /// A bound listener; `address` has the real port when 0 was asked for.
    public struct Bound: Sendable {
        let channel: Listening
        public let address: Address
    }

    public struct Settings: Sendable {
        /// A connection with no request in progress is closed after this long.
        public var idleTimeout: Duration = .seconds(10)
        /// SSE comments keep intermediaries from closing a quiet stream and notice departed clients.
        public var keepAliveInterval: Duration = .seconds(15)
        /// How long shutdown waits for requests in progress before closing their connections.
        public var drainTimeout: Duration = .seconds(5)
        /// Request bodies above this are refused (413) and the connection closed.
        public var maxBodyBytes = 64 << 10

        public init() {}
    }

    private let endpoints: Endpoints
    private let settings: Settings
    private let logger: Logger
    private let group: any EventLoopGroup
    private let stop = StopSignal()
    private let connections = ConnectionRegistry()

    public init(endpoints: Endpoints, settings: Settings = Settings(), logger: Logger, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.endpoints = endpoints
        self.settings = settings
        self.logger = logger
        self.group = group
    }

    /// Binds one listener (the Unix socket path must already be prepared: see `UnixSocketPath`).
    public func bind(_ address: Address) async throws -> Bound {
        let idle = TimeAmount.nanoseconds(Int64(settings.idleTimeout.seconds * 1e9))
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Connection> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                try channel.pipeline.syncOperations.addHandler(IdleConnectionHandler(timeout: idle))
                return try Connection(wrappingChannelSynchronously: channel)
            }
        }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
        switch address {
        case .unix(let path):
            let channel: Listening = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: false, childChannelInitializer: initializer)
            return Bound(channel: channel, address: address)
        case .tcp(let host, let port):
            let channel: Listening = try await bootstrap.bind(host: host, port: port, childChannelInitializer: initializer)
            return Bound(channel: channel, address: .tcp(host: host, port: channel.channel.localAddress?.port ?? port))
        }
    }

    /// Serves until `shutdown()`: then stops accepting, ends event streams, lets requests in progress finish
    /// (within the drain timeout) and returns.
    public func serve(_ listeners: [Bound]) async {
        await withDiscardingTaskGroup { group in
            for listener in listeners {
                group.addTask {
                    do {
                        try await listener.channel.executeThenClose { inbound in
                            try await withThrowingDiscardingTaskGroup { connections in
                                for try await connection in inbound {
                                    connections.addTask { await self.handle(connection) }
                                }
                                // Not accepting any more: idle connections close now, requests in progress get the
                                // drain time.
                                await self.connections.drain(within: self.settings.drainTimeout)
                                connections.cancelAll()
                            }
                        }
                    } catch {
                        self.logger.warning("listener stopped", metadata: ["address": "\(listener.address)", "error": "\(error)"])
                    }
                }
            }
            group.addTask {
                await self.stop.wait()
                self.endpoints.hub.close()
                for listener in listeners { try? await listener.channel.channel.close() }
            }
        }
    }

    /// Starts the shutdown of `serve`.
    public func shutdown() { stop.fire() }

    // MARK: - Connections

    private func handle(_ connection: Connection) async {
        let channel = connection.channel
        let id = connections.add(channel)
        defer { connections.remove(id) }
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var bodyBytes = 0
                for try await part in inbound {
                    switch part {
                    case .head(let requestHead):
                        connections.setBusy(id, true)
                        head = requestHead
                        bodyBytes = 0
                    case .body(let buffer):
                        bodyBytes += buffer.readableBytes
                        if bodyBytes > settings.maxBodyBytes {
                            try await write(Reply.text(413, "request body over \(settings.maxBodyBytes) bytes"), head: head, keepAlive: false, to: outbound)
                            return
                        }
                    case .end:
                        guard let request = head else { continue }
                        head = nil
                        let keepAlive = request.isKeepAlive
                        switch await endpoints.answer(method: request.method.rawValue, target: request.uri) {
                        case .reply(let reply):
                            try await write(reply, head: request, keepAlive: keepAlive && !connections.draining, to: outbound)
                            if !keepAlive || connections.draining { return }
                            connections.setBusy(id, false)
                        case .events(let filter):
                            try await streamEvents(filter, request: request, channel: channel, to: outbound)
                            return
                        }
                    }
                }
            }
        } catch {
            logger.debug("connection ended", metadata: ["error": "\(error)"])
        }
    }

    private func write(_ reply: Reply, head request: HTTPRequestHead?, keepAlive: Bool, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        var head = HTTPResponseHead(version: request?.version ?? .http1_1, status: HTTPResponseStatus(statusCode: reply.status))
        head.headers.add(name: "Content-Type", value: reply.contentType)
        head.headers.add(name: "Content-Length", value: String(reply.body.count))
        head.headers.add(name: "Server", value: "doctor")
        for (name, value) in reply.headers { head.headers.add(name: name, value: value) }
        if !keepAlive { head.headers.add(name: "Connection", value: "close") }
        var parts: [HTTPServerResponsePart] = [.head(head)]
        if request?.method != .HEAD && !reply.body.isEmpty { parts.append(.body(.byteBuffer(ByteBuffer(bytes: reply.body)))) }
        parts.append(.end(nil))
        try await outbound.write(contentsOf: parts)
    }

    /// `/events`: subscribes before answering, so nothing published after the response head is missed; ends when
    /// the client goes, the server shuts down, or the client falls too far behind.
    private func streamEvents(_ filter: ResultFilter, request: HTTPRequestHead, channel: any Channel, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        let events = endpoints.hub.subscribe()
        var head = HTTPResponseHead(version: request.version, status: .ok)
        head.headers.add(name: "Content-Type", value: "text/event-stream")
        head.headers.add(name: "Cache-Control", value: "no-store")
        head.headers.add(name: "X-Accel-Buffering", value: "no")
        head.headers.add(name: "Server", value: "doctor")
        if request.version.major == 1 && request.version.minor == 0 { head.headers.add(name: "Connection", value: "close") }
        try await outbound.write(contentsOf: [.head(head), .body(.byteBuffer(ByteBuffer(string: ": doctor event stream\nretry: 2000\n\n")))])
        if request.method == .HEAD {
            try await outbound.write(.end(nil))
            return
        }
        let keepAlive = settings.keepAliveInterval
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in events {
                    guard let text = Endpoints.serverSentEvent(event, filter: filter) else { continue }
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(string: text))))
                }
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: keepAlive)
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(string: ": keep-alive\n\n"))))
                }
            }
            group.addTask { await HTTPServer.waitUntilClosed(channel) }
            // Whichever ends first (the hub closed, a write failed, the client left) ends the stream.
            _ = try await group.next()
            group.cancelAll()
        }
        try? await outbound.write(.end(nil))
    }
}

extension HTTPServer {
    /// Returns when the channel closes or the task is cancelled (a future's `get()` ignores cancellation).
    static func waitUntilClosed(_ channel: any Channel) async {
        let closed = StopSignal()
        channel.closeFuture.whenComplete { _ in closed.fire() }
        await withTaskCancellationHandler {
            await closed.wait()
        } onCancel: {
            closed.fire()
        }
    }
}
