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

/// Closes a connection that has no request in progress for `timeout`: clients that connect and never send, and
/// idle keep-alive connections. Armed when the connection opens and after each response; disarmed by a request.
final class IdleConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { disarm() }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { arm(context) }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        disarm()
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}

/// The open connections and whether each has a request in progress, so that shutdown can close the idle ones at
/// once and wait only for the busy ones.
final class ConnectionRegistry: Sendable {
    private struct State {
        var next = 0
        var open: [Int: (channel: any Channel, busy: Bool)] = [:]
        var draining = false
    }

    private let state = Mutex(State())

    var draining: Bool { state.withLock { $0.draining } }

    func add(_ channel: any Channel) -> Int {
        let (id, draining) = state.withLock { state in
            state.next += 1
            state.open[state.next] = (channel, false)
            return (state.next, state.draining)
        }
        if draining { channel.close(promise: nil) }
        return id
    }

    func remove(_ id: Int) { _ = state.withLock { $0.open.removeValue(forKey: id) } }

    func setBusy(_ id: Int, _ busy: Bool) {
        let close = state.withLock { state -> (any Channel)? in
            state.open[id]?.busy = busy
            return !busy && state.draining ? state.open[id]?.channel : nil
        }
        close?.close(promise: nil)
    }

    /// Closes idle connections, then waits until the busy ones are done or `timeout` passes.
    func drain(within timeout: Duration) async {
        let idle = state.withLock { state in
            state.draining = true
            return state.open.values.filter { !$0.busy }.map(\.channel)
        }
        for channel in idle { channel.close(promise: nil) }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, state.withLock({ !$0.open.isEmpty }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// A one-shot signal that any number of tasks can wait for.
final class StopSignal: Sendable {
    private let state = Mutex<(fired: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func fire() {
        let waiters = state.withLock { state in
            state.fired = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let fired = state.withLock { state in
                if !state.fired { state.waiters.append(continuation) }
                return state.fired
            }
            if fired { continuation.resume() }
        }
    }
}
