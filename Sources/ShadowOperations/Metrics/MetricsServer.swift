import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ShadowCore
import Synchronization

/// Serves `GET /metrics` (Prometheus text format 0.0.4) on `metrics_address`.
///
/// Each scrape asks the ``MetricsSource`` once, in a Swift task; one response per connection
/// (`Connection: close`). Other paths answer 404, other methods 405. Bounded by ``Limits``: open
/// connections, and the time a connection may stay open (the request must have arrived within
/// ``Limits/readTimeout``; the connection is closed after ``Limits/idleTimeout`` in any case).
public final class MetricsServer: Sendable {
    /// Bounds on the scrapers.
    public struct Limits: Sendable {
        /// Open connections beyond this are closed at once.
        public var maxConnections = 16
        /// The request must be complete this long after the connection opened.
        public var readTimeout: TimeAmount = .seconds(5)
        /// A connection is closed after this long, answered or not.
        public var idleTimeout: TimeAmount = .seconds(30)

        public init() {}
    }

    public let address: ShadowCore.SocketAddress
    public let limits: Limits
    /// A listening socket bound elsewhere (the master, for `shadow-ops`), served instead of
    /// binding ``address``.
    public let boundSocket: CInt?
    let source: any MetricsSource
    let group: any EventLoopGroup
    let logger: Logger
    private let listener = Mutex<(any Channel)?>(nil)
    private let inFlight = InFlight()
    private let connections = Atomic<Int>(0)

    public init(address: ShadowCore.SocketAddress, boundSocket: CInt? = nil, source: any MetricsSource,
                group: any EventLoopGroup, logger: Logger, limits: Limits = Limits()) {
        self.address = address
        self.boundSocket = boundSocket
        self.source = source
        self.group = group
        self.logger = logger
        self.limits = limits
    }

    /// Binds the listener.
    public func start() async throws {
        let source = self.source
        let inFlight = self.inFlight
        let limits = self.limits
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                guard self.admit(channel) else {
                    channel.close(promise: nil)
                    return channel.eventLoop.makeSucceededVoidFuture()
                }
                let requestTimer = channel.eventLoop.scheduleTask(in: limits.readTimeout) { channel.close(promise: nil) }
                let idleTimer = channel.eventLoop.scheduleTask(in: limits.idleTimeout) { channel.close(promise: nil) }
                channel.closeFuture.whenComplete { _ in
                    requestTimer.cancel()
                    idleTimer.cancel()
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        MetricsHTTPHandler(source: source, inFlight: inFlight, requestTimer: requestTimer))
                }
            }
        let channel = if let boundSocket {
            try await bootstrap.withBoundSocket(boundSocket).get()
        } else {
            try await bootstrap.bind(to: EventSender.nioAddress(address)).get()
        }
        listener.withLock { $0 = channel }
        if let boundSocket {
            // The master, which bound it, logged its line ("Metrics listening on …").
            logger.debug("Serving metrics on descriptor \(boundSocket)")
        } else {
            let bound = channel.localAddress.map(ManagementServer.text) ?? "\(address)"
            logger.info("\(ListenerLine.text("Metrics", on: bound, "http"))")
        }
    }

    /// Closes the listener and waits (at most `timeout`) for scrapes being answered.
    public func stop(timeout: Duration = .seconds(10)) async {
        let channel = listener.withLock { c in
            defer { c = nil }
            return c
        }
        try? await channel?.close()
        await inFlight.waitIdle(timeout: timeout, on: group.next())
    }

    /// Counts the connection; false beyond ``Limits/maxConnections``.
    private func admit(_ channel: any Channel) -> Bool {
        let open = connections.add(1, ordering: .relaxed).newValue
        channel.closeFuture.whenComplete { _ in self.connections.subtract(1, ordering: .relaxed) }
        guard open <= limits.maxConnections else {
            logger.warning("too many metrics connections", metadata: ["open": "\(open)"])
            return false
        }
        return true
    }

    /// The bound address (its port when the configured port was 0).
    public var localAddress: NIOCore.SocketAddress? { listener.withLock { $0?.localAddress } }
}

/// One HTTP connection of the metrics endpoint.
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let source: any MetricsSource
    let inFlight: InFlight
    /// Closes the connection unless the request is complete in time.
    let requestTimer: Scheduled<Void>?
    private var head: HTTPRequestHead?

    init(source: any MetricsSource, inFlight: InFlight, requestTimer: Scheduled<Void>? = nil) {
        self.source = source
        self.inFlight = inFlight
        self.requestTimer = requestTimer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            requestTimer?.cancel()
            respond(to: head, channel: context.channel)
        }
    }

    private func respond(to head: HTTPRequestHead, channel: any Channel) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        guard path == "/metrics" else {
            MetricsReply.send(.notFound, "not found\n", on: channel, head)
            return
        }
        guard head.method == .GET || head.method == .HEAD else {
            MetricsReply.send(.methodNotAllowed, "use GET\n", on: channel, head)
            return
        }
        let source = self.source
        let inFlight = self.inFlight
        inFlight.enter()
        Task {
            let text = PrometheusExposition.render(await source.metricsReport())
            try? await MetricsReply.send(.ok, text, on: channel, head, contentType: PrometheusExposition.contentType).get()
            inFlight.leave()
        }
    }
}

/// Writes one HTTP response and closes the connection.
enum MetricsReply {
    @discardableResult
    static func send(_ status: HTTPResponseStatus, _ body: String, on channel: any Channel, _ request: HTTPRequestHead,
                     contentType: String = "text/plain; charset=utf-8") -> EventLoopFuture<Void> {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        headers.add(name: "Connection", value: "close")
        let head = HTTPResponseHead(version: request.version, status: status, headers: headers)
        channel.write(HTTPServerResponsePart.head(head), promise: nil)
        if request.method != .HEAD {
            channel.write(HTTPServerResponsePart.body(.byteBuffer(channel.allocator.buffer(string: body))), promise: nil)
        }
        return channel.writeAndFlush(HTTPServerResponsePart.end(nil))
            .flatMapError { _ in channel.eventLoop.makeSucceededVoidFuture() }
            .flatMap { channel.close() }
            .recover { _ in }
    }
}
