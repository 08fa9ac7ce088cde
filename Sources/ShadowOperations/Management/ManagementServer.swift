import Logging
import NIOCore
import NIOPosix
import ShadowCore
import Synchronization

/// The management listener of the master (behavior.md §7): newline-delimited JSON over TCP on a
/// loopback address and/or a Unix socket (mode 0600).
///
/// Per connection: one request line, one response line, close. Clients are served concurrently;
/// each request is bounded in size (``Limits/maxRequestBytes``) and time (``Limits/readTimeout``
/// between bytes, ``Limits/requestDeadline`` in all).
public final class ManagementServer: Sendable {
    /// Bounds on one connection.
    public struct Limits: Sendable {
        /// Longest request line accepted (default 512 MiB: enough for a 1,000,000-entry `replace`).
        public var maxRequestBytes = 512 << 20
        /// The connection is answered with an error when no byte arrives for this long (upstream: 5 s).
        public var readTimeout: TimeAmount = .seconds(5)
        /// The whole request must have arrived by then, even if bytes keep trickling in.
        public var requestDeadline: TimeAmount = .seconds(120)
        /// A response the client does not read within this time is abandoned.
        public var writeTimeout: TimeAmount = .seconds(5)
        /// Open connections beyond this are answered with an error and closed.
        public var maxConnections = 64

        public init() {}
    }

    /// Where to listen.
    public struct Configuration: Sendable {
        /// `mgmt_address`; must be a loopback address.
        public var tcpAddress: ShadowCore.SocketAddress?
        /// `mgmt_socket`; a stale socket file there is replaced.
        public var unixSocketPath: String?
        public var limits = Limits()

        public init(tcpAddress: ShadowCore.SocketAddress? = nil, unixSocketPath: String? = nil, limits: Limits = Limits()) {
            self.tcpAddress = tcpAddress
            self.unixSocketPath = unixSocketPath
            self.limits = limits
        }
    }

    /// Why the server could not start.
    public struct StartError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public let configuration: Configuration
    let service: ManagementService
    let group: any EventLoopGroup
    let logger: Logger
    private let listeners = Mutex<[any Channel]>([])
    private let connections = Atomic<Int>(0)
    /// Set once the Unix socket is in place (so ``stop()`` removes it).
    private let unixSocketBound = Atomic<Bool>(false)
    private let inFlight = InFlight()

    /// A server for `backend`; nothing listens before ``start()``.
    public init(configuration: Configuration, backend: any ManagementBackend, group: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.service = ManagementService(backend: backend)
        self.group = group
        self.logger = logger
    }

    /// Binds the configured listeners. Throws (and leaves nothing bound) when one cannot be bound.
    public func start() async throws {
        do {
            if let address = configuration.tcpAddress { try await bindTCP(address) }
            if let path = configuration.unixSocketPath { try await bindUnix(path) }
        } catch {
            await stop()
            throw error
        }
    }

    /// Closes the listeners, removes the Unix socket file, then waits (at most `timeout`) for
    /// requests being handled to be answered, so the event loop group can be shut down after it.
    public func stop(timeout: Duration = .seconds(10)) async {
        let channels = listeners.withLock { list in
            defer { list.removeAll() }
            return list
        }
        for channel in channels { try? await channel.close() }
        if let path = configuration.unixSocketPath, unixSocketBound.exchange(false, ordering: .relaxed) {
            SocketFile.removeIfSocket(path)
        }
        await inFlight.waitIdle(timeout: timeout)
    }

    /// The bound TCP address (its port when `mgmt_address` had port 0).
    public var tcpLocalAddress: NIOCore.SocketAddress? {
        listeners.withLock { list in list.compactMap(\.localAddress).first { $0.pathname == nil } }
    }

    // MARK: Binding

    private func bindTCP(_ address: ShadowCore.SocketAddress) async throws {
        guard address.isLoopback else {
            throw StartError(description: "mgmt_address \(address) must be a loopback address (127.0.0.0/8 or [::1])")
        }
        let channel = try await bootstrap().bind(to: EventSender.nioAddress(address)).get()
        listeners.withLock { $0.append(channel) }
        logger.info("Bound management to \(channel.localAddress.map { "\($0)" } ?? "\(address)")")
    }

    /// Binds at a temporary name, sets mode 0600, then renames over `path`, so the socket is never
    /// reachable with a wider mode.
    private func bindUnix(_ path: String) async throws {
        try SocketFile.checkReplaceable(path)
        let temporary = SocketFile.temporaryPath(for: path)
        let bindPath = temporary ?? path
        if temporary == nil { SocketFile.removeIfSocket(path) }
        let channel = try await bootstrap().bind(unixDomainSocketPath: bindPath, cleanupExistingSocketFile: true).get()
        listeners.withLock { $0.append(channel) }
        try SocketFile.restrict(bindPath)
        if let temporary { try SocketFile.rename(temporary, to: path) }
        unixSocketBound.store(true, ordering: .relaxed)
        logger.info("Bound management to unix:\(path)")
    }

    private func bootstrap() -> ServerBootstrap {
        let limits = configuration.limits
        let service = self.service
        let logger = self.logger
        let inFlight = self.inFlight
        return ServerBootstrap(group: group)
            // Room for a burst of as many connections as are allowed open (capped by somaxconn).
            .serverChannelOption(.backlog, value: Int32(clamping: max(64, limits.maxConnections)))
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                self.admit(channel, limits: limits)
                    ? channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ManagementConnectionHandler(limits: limits, service: service, logger: logger,
                                                    inFlight: inFlight))
                    }
                    : channel.eventLoop.makeSucceededVoidFuture()
            }
    }

    /// Counts the connection; refuses it (with an error response) beyond ``Limits/maxConnections``.
    private func admit(_ channel: any Channel, limits: Limits) -> Bool {
        let open = connections.add(1, ordering: .relaxed).newValue
        channel.closeFuture.whenComplete { _ in self.connections.subtract(1, ordering: .relaxed) }
        guard open <= limits.maxConnections else {
            logger.warning("too many management connections", metadata: ["open": "\(open)"])
            ManagementJob.send(
                ManagementRequestError("too many management connections (at most \(limits.maxConnections))").response,
                on: channel, writeTimeout: limits.writeTimeout)
            return false
        }
        return true
    }
}
