import IPC
import Logging
import NIOCore
import NIOPosix
import ShadowCore
import Synchronization

/// The HA peer channel (docs/high-availability.md, "The peer channel"): accepts the peers'
/// connections on the listener the master bound for `ha.listen`, dials every configured peer
/// (again after every failure), runs one ``PeerSession`` per connection, sends heartbeats and
/// this server's bindings, pulls a peer's table at start and answers the peers' pulls, and tells
/// the master (``PeerMasterLink``) which peers are alive.
///
/// All its state lives on one event loop (``PeerHub``); the methods here hop onto it, so they may
/// be called from any thread. It never waits on the network or the master: a silent, slow or
/// hostile peer costs a connection, never the process.
public final class PeerManager: Sendable {
    public struct Configuration: Sendable {
        public var settings: HASettings
        /// The shared key (the key file's bytes, from the master).
        public var key: [UInt8]
        /// The master already merged a peer's table since it started: no pull at start.
        public var tableSynced: Bool
        /// A listening TCP socket bound elsewhere (the master, `ha.listen`) to accept peers on.
        public var listener: CInt
        /// Bindings kept per peer while they cannot be sent; the oldest are dropped beyond it.
        public var queueLimit = 262_144
        /// How often queued bindings are sent, peer states checked and dials retried.
        public var tickInterval: TimeAmount = .milliseconds(100)
        /// Without an answer to the table pull by then (after the start), serve anyway.
        public var tablePullTimeout: TimeAmount = .seconds(5)
        /// How long peers' snapshot digests may differ before it is a warning and a metric.
        public var mismatchGrace: TimeAmount = .seconds(30)
        /// How often the warning repeats while they differ.
        public var mismatchRepeat: TimeAmount = .seconds(60)
        /// A connection must be authenticated this long after it opened.
        public var handshakeTimeout: TimeAmount = .seconds(5)
        /// Between two dials of the same peer; nil: `heartbeat_ms`, but at least 1 s.
        public var redialInterval: TimeAmount?
        /// Open connections (both directions) beyond this are closed at once.
        public var maxConnections = 64
        /// Most bindings accepted in one table pull.
        public var maxTableRecords = 16_777_216

        public init(settings: HASettings, key: [UInt8], tableSynced: Bool, listener: CInt) {
            self.settings = settings
            self.key = key
            self.tableSynced = tableSynced
            self.listener = listener
        }

        var heartbeatInterval: TimeAmount { .milliseconds(Int64(settings.heartbeatMilliseconds)) }
        var downAfter: TimeAmount { .milliseconds(Int64(settings.downAfterMilliseconds)) }
        var effectiveRedialInterval: TimeAmount { redialInterval ?? max(heartbeatInterval, .seconds(1)) }
    }

    public let configuration: Configuration
    let eventLoop: any EventLoop
    let logger: Logger
    let hub: NIOLoopBoundBox<PeerHub>
    private let listener = Mutex<(any Channel)?>(nil)

    /// `events`: where peer state changes go as JSON lines (the event writer), if anywhere.
    public init(configuration: Configuration, master: any PeerMasterLink, eventLoop: any EventLoop, logger: Logger,
                events: (@Sendable (String) -> Void)? = nil) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.logger = logger
        hub = .makeBoxSendingValue(PeerHub(configuration: configuration, master: master, eventLoop: eventLoop,
                                           logger: logger, events: events), eventLoop: eventLoop)
    }

    /// Accepts on the listener, dials the peers, starts the timers and tells the master the
    /// initial peer states.
    public func start() async throws {
        let channel = try await ServerBootstrap(group: eventLoop)
            .serverChannelOption(.backlog, value: 16)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let handler = hub.value.accepted() else {
                        channel.close(promise: nil)
                        return
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .withBoundSocket(configuration.listener).get()
        listener.withLock { $0 = channel }
        try await eventLoop.submit { [self] in hub.value.begin(manager: self) }.get()
        // The master, which bound it, logged its line ("HA peer channel listening on …").
        logger.debug("Serving the HA peer channel on descriptor \(configuration.listener)")
    }

    /// Closes the listener and every connection and stops the timers.
    public func stop() async {
        let channel = listener.withLock { c in
            defer { c = nil }
            return c
        }
        try? await channel?.close()
        try? await eventLoop.submit { [self] in hub.value.stop() }.get()
    }

    /// Bindings this server learned (`local-bindings`): queued for every peer.
    public func localBindings(_ records: [BindingRecord]) {
        guard !records.isEmpty else { return }
        eventLoop.execute { [self] in hub.value.enqueue(records) }
    }

    /// What `peers` and `/metrics` show.
    public func report() async -> PeersReport? {
        try? await eventLoop.submit { [self] in hub.value.report() }.get()
    }

    /// Opens an outgoing connection to peer `index` (on the event loop).
    func dial(_ index: Int, address: NIOCore.SocketAddress) -> EventLoopFuture<any Channel> {
        ClientBootstrap(group: eventLoop)
            .connectTimeout(configuration.effectiveRedialInterval)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(hub.value.dialer(for: index))
                }
            }
            .connect(to: address)
    }
}

extension PeerManager {
    /// ``start()`` for a caller outside Swift concurrency.
    public func startBlocking() throws { try Blocking.run { try await self.start() } }

    /// ``stop()`` for a caller outside Swift concurrency.
    public func stopBlocking() { _ = try? Blocking.run { await self.stop() } }
}
