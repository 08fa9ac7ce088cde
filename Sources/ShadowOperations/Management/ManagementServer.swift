import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ShadowCore
import ShadowSystem
import Synchronization

// Glibc only for SO_PEERCRED, SOL_SOCKET and `ucred`, which NIO's socket-option API takes as
// values: the call itself is NIO's (SocketOptionProvider), not ours.
#if canImport(Glibc)
import Glibc
#endif

/// The management listener (docs/management.md), run by `shadow-ops` on the listeners the master
/// bound and passed (``Configuration/boundSockets``), or binding by itself (tests): newline-delimited
/// JSON over TCP and/or a Unix socket (mode 0600, or 0660 root:`unix_group`), and the HTTP JSON API
/// (`POST /v1/command`, ``ManagementHTTPHandler``). With ``Configuration/tls`` every TCP listener
/// speaks TLS only (``TLSIdentityHandler`` installs the request handler once the handshake has
/// named the client); the Unix socket never does. All of them feed one ``ManagementService``.
///
/// Per connection: one request line, one response line, close. Clients are served concurrently;
/// each request is bounded in size (``Limits/maxRequestBytes``) and time (``Limits/readTimeout``
/// between bytes, ``Limits/smallRequestDeadline`` or ``Limits/requestDeadline`` in all). Who may
/// do what is ``ManagementAuthorization``; every request is audited (``ManagementAudit``).
///
/// Large requests (over ``Limits/largeRequestBytes``) are admitted one at a time, and only for a
/// peer that the request's leading `command` and `token` authorise for a change: at most one
/// large body is buffered and parsed at any time, and an unauthenticated client cannot hold that
/// slot.
public final class ManagementServer: Sendable {
    /// Bounds on one connection.
    public struct Limits: Sendable {
        /// Longest request line accepted (default 512 MiB: enough for a 1,000,000-entry `replace`).
        public var maxRequestBytes = 512 << 20
        /// A request growing past this is a large request: admitted one at a time, and only for
        /// an authorised change (default 1 MiB).
        public var largeRequestBytes = 1 << 20
        /// The connection is answered with an error when no byte arrives for this long (upstream: 5 s).
        public var readTimeout: TimeAmount = .seconds(5)
        /// A request that is not large must have arrived by then.
        public var smallRequestDeadline: TimeAmount = .seconds(10)
        /// The whole request must have arrived by then, even if bytes keep trickling in.
        public var requestDeadline: TimeAmount = .seconds(120)
        /// A response the client does not read within this time is abandoned.
        public var writeTimeout: TimeAmount = .seconds(5)
        /// Open connections beyond this are answered with an error and closed.
        public var maxConnections = 64
        /// Of ``maxConnections``, this many are kept for the Unix socket: TCP clients get at most
        /// the rest, so a TCP flood cannot lock out the local administrator.
        public var reservedUnixConnections = 8

        public init() {}
    }

    /// Where to listen, and who may do what.
    public struct Configuration: Sendable {
        /// `mgmt_address`; must be a loopback address.
        public var tcpAddress: ShadowCore.SocketAddress?
        /// `mgmt_http_address`: the HTTP JSON API (tests bind it here; `shadow-ops` adopts it).
        public var httpAddress: ShadowCore.SocketAddress?
        /// `mgmt_socket`; a stale socket file there is replaced.
        public var unixSocketPath: String?
        /// Listening sockets someone else bound (the master, for `shadow-ops`): adopted as they
        /// are, and closed (in this process) by ``stop(timeout:)``.
        public var boundSockets: [BoundListener]
        public var limits = Limits()
        /// Tokens, the Unix group and its role, `mgmt_tcp_insecure_writes`, `client_roles`.
        public var authorization = ManagementAuthorization()
        /// `mgmt_tls`: when set, every TCP listener (line protocol and HTTP API) speaks TLS.
        public var tls: TLS?

        public init(tcpAddress: ShadowCore.SocketAddress? = nil, unixSocketPath: String? = nil,
                    boundSockets: [BoundListener] = [], limits: Limits = Limits(),
                    authorization: ManagementAuthorization = ManagementAuthorization(), tls: TLS? = nil) {
            self.tcpAddress = tcpAddress
            self.unixSocketPath = unixSocketPath
            self.boundSockets = boundSockets
            self.limits = limits
            self.authorization = authorization
            self.tls = tls
        }

        /// The same configuration with the HTTP API at `address`.
        public func withHTTP(_ address: ShadowCore.SocketAddress?) -> Self {
            var c = self
            c.httpAddress = address
            return c
        }
    }

    /// `mgmt_tls`'s material as PEM bytes (the master read the files).
    public struct TLS: Sendable {
        public var certificatePEM: [UInt8]
        public var keyPEM: [UInt8]
        /// When set, a client certificate signed by one of these is required; its subject CN is
        /// the client's identity (``ManagementAuthorization/clientRoles``).
        public var clientCAPEM: [UInt8]?

        public init(certificatePEM: [UInt8], keyPEM: [UInt8], clientCAPEM: [UInt8]? = nil) {
            self.certificatePEM = certificatePEM
            self.keyPEM = keyPEM
            self.clientCAPEM = clientCAPEM
        }

        /// The server context: TLS 1.2 or later, the client certificate required and verified
        /// (without a hostname: the CN is the identity) when there is a client CA.
        public func makeContext() throws -> NIOSSLContext {
            let chain = try NIOSSLCertificate.fromPEMBytes(certificatePEM)
            let key = try NIOSSLPrivateKey(bytes: keyPEM, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            if let clientCAPEM {
                configuration.certificateVerification = .noHostnameVerification
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(clientCAPEM))
            }
            return try NIOSSLContext(configuration: configuration)
        }
    }

    /// A listening socket someone else bound, and what it is.
    public struct BoundListener: Sendable {
        public var descriptor: CInt
        public var transport: ManagementPeer.Transport
        /// For a Unix socket, its path (named in the audit).
        public var path: String
        public init(descriptor: CInt, transport: ManagementPeer.Transport, path: String = "") {
            self.descriptor = descriptor
            self.transport = transport
            self.path = path
        }
    }

    /// Why the server could not start.
    public struct StartError: Error, CustomStringConvertible, Sendable {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public let configuration: Configuration
    let service: ManagementService
    /// Built once from ``Configuration/tls``.
    let sslContext: NIOSSLContext?
    /// Why ``Configuration/tls`` made no context (``start()`` then fails).
    let sslContextError: String?
    let group: any EventLoopGroup
    let logger: Logger
    private let listeners = Mutex<[any Channel]>([])
    /// The HTTP API's listeners (also in ``listeners``).
    private let httpListeners = Mutex<[any Channel]>([])
    private let connections = Atomic<Int>(0)
    /// Set once the Unix socket is in place (so ``stop()`` removes it).
    private let unixSocketBound = Atomic<Bool>(false)
    private let inFlight = InFlight()
    /// Held by the one connection receiving or handling a large request.
    let largeRequestSlot = LargeRequestSlot()

    /// The audit: request counts for `/metrics` (`shadowdhcp_mgmt_requests_total`).
    public var audit: ManagementAudit { service.audit }

    /// A server for `backend`; nothing listens before ``start()``.
    /// - Parameter events: where `management` audit events go (the event writer), if anywhere.
    public init(configuration: Configuration, backend: any ManagementBackend, group: any EventLoopGroup, logger: Logger,
                events: (@Sendable (String) -> Void)? = nil) {
        self.configuration = configuration
        do {
            self.sslContext = try configuration.tls?.makeContext()
            self.sslContextError = nil
        } catch {
            self.sslContext = nil
            self.sslContextError = "\(error)"
        }
        self.service = ManagementService(backend: backend, authorization: configuration.authorization,
                                         audit: ManagementAudit(logger: logger, events: events), timers: group.next())
        self.group = group
        self.logger = logger
    }

    /// Binds the configured listeners. Throws (and leaves nothing bound) when one cannot be bound.
    public func start() async throws {
        if let sslContextError {
            throw StartError(description: "mgmt_tls: cannot make a TLS context: \(sslContextError)")
        }
        do {
            if let address = configuration.tcpAddress { try await bindTCP(address, .tcp) }
            if let address = configuration.httpAddress { try await bindTCP(address, .http) }
            if let path = configuration.unixSocketPath { try await bindUnix(path) }
            for fd in configuration.boundSockets { try await adopt(fd) }
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
        httpListeners.withLock { $0.removeAll() }
        for channel in channels { try? await channel.close() }
        if let path = configuration.unixSocketPath, unixSocketBound.exchange(false, ordering: .relaxed) {
            SocketFile.removeIfSocket(path)
        }
        await inFlight.waitIdle(timeout: timeout, on: group.next())
    }

    /// The bound TCP address (its port when `mgmt_address` had port 0).
    public var tcpLocalAddress: NIOCore.SocketAddress? {
        listeners.withLock { list in list.compactMap(\.localAddress).first { $0.pathname == nil } }
    }

    /// The bound HTTP API address (its port when `mgmt_http_address` had port 0).
    public var httpLocalAddress: NIOCore.SocketAddress? {
        httpListeners.withLock { list in list.compactMap(\.localAddress).first }
    }

    // MARK: Binding

    private func bindTCP(_ address: ShadowCore.SocketAddress, _ transport: ManagementPeer.Transport) async throws {
        guard address.isLoopback || sslContext != nil else {
            throw StartError(description: "mgmt_address \(address) must be a loopback address (127.0.0.0/8 or [::1]) "
                             + "unless mgmt_tls is configured")
        }
        let channel = try await bootstrap(transport).bind(to: EventSender.nioAddress(address)).get()
        listeners.withLock { $0.append(channel) }
        if transport == .http { httpListeners.withLock { $0.append(channel) } }
        let bound = channel.localAddress.map(Self.text) ?? "\(address)"
        logger.info("\(ListenerLine.text("Management", on: bound, (sslContext != nil ? transport.secured : transport).rawValue))")
    }

    /// Serves a listening socket bound elsewhere.
    ///
    /// NIO calls `listen` again on an adopted socket, with its default backlog of 128 (the
    /// bootstrap's backlog option applies only to sockets it binds), which silently replaced the
    /// master's `mgmt_max_connections`: a burst of more than 128 clients while the event loop was
    /// busy overflowed it, and their connects failed (EAGAIN). The backlog is set again here.
    private func adopt(_ listener: BoundListener) async throws {
        let channel = try await bootstrap(listener.transport, path: listener.path).withBoundSocket(listener.descriptor).get()
        try StreamListener.setBacklog(listener.descriptor, Self.backlog(configuration.limits))
        listeners.withLock { $0.append(channel) }
        if listener.transport == .http { httpListeners.withLock { $0.append(channel) } }
        // The master, which bound it, logged its line ("Management listening on …").
        logger.debug("Serving management on descriptor \(listener.descriptor)")
    }

    /// Binds at a temporary name, sets its mode, then renames over `path`, so the socket is never
    /// reachable with a wider mode.
    private func bindUnix(_ path: String) async throws {
        try SocketFile.checkReplaceable(path)
        let temporary = SocketFile.temporaryPath(for: path)
        let bindPath = temporary ?? path
        if temporary == nil { SocketFile.removeIfSocket(path) }
        let channel = try await bootstrap(.unix, path: path)
            .bind(unixDomainSocketPath: bindPath, cleanupExistingSocketFile: true).get()
        listeners.withLock { $0.append(channel) }
        try SocketFile.restrict(bindPath, group: configuration.authorization.unixGroup?.gid)
        if let temporary { try SocketFile.rename(temporary, to: path) }
        unixSocketBound.store(true, ordering: .relaxed)
        logger.info("\(ListenerLine.text("Management", on: path, "unix"))")
    }

    private func bootstrap(_ transport: ManagementPeer.Transport, path: String = "") -> ServerBootstrap {
        let limits = configuration.limits
        let sslContext = transport.isNetwork ? self.sslContext : nil
        return ServerBootstrap(group: group)
            // Room for a burst of as many connections as are allowed open (capped by somaxconn).
            .serverChannelOption(.backlog, value: Self.backlog(limits))
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                guard self.admit(channel, transport, limits: limits) else { return channel.eventLoop.makeSucceededVoidFuture() }
                if let sslContext {
                    // TLS first; the request handler is installed once the handshake says who the client is.
                    let address = channel.remoteAddress.map(Self.text) ?? "unknown"
                    return channel.eventLoop.makeCompletedFuture {
                        let tls = NIOSSLServerHandler(context: sslContext)
                        try channel.pipeline.syncOperations.addHandler(tls)
                        let verifiesClients = self.configuration.tls?.clientCAPEM != nil
                        try channel.pipeline.syncOperations.addHandler(TLSIdentityHandler(timeout: limits.readTimeout, install: {
                            channel in
                            // With a client CA the handshake verified a client certificate: its CN
                            // (empty when it has none, which no client_roles entry matches) names the client.
                            let certificate = try channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
                                .peerCertificate
                            let cn = verifiesClients ? (certificate.flatMap(Self.commonName) ?? "") : nil
                            try self.install(on: channel, ManagementPeer(transport: transport.secured, address: address,
                                                                         certificateCN: cn))
                        }, failed: { error in
                            // Audited like any refused request, and counted against the peer's address.
                            let peer = ManagementPeer(transport: transport.secured, address: address)
                            self.service.throttle.recordFailure(peer.throttleKey)
                            var record = ManagementAuditRecord(peer: peer, identity: nil, command: nil, result: .unauthenticated)
                            record.error = "TLS handshake failed: \(error)"
                            self.service.audit.record(record)
                        }))
                    }
                }
                return Self.peer(of: channel, transport, path: path).flatMapThrowing { peer in
                    try self.install(on: channel, peer)
                }
            }
    }

    /// The accept backlog: room for a burst of as many connections as may be open (the kernel caps
    /// it at `net.core.somaxconn`).
    static func backlog(_ limits: Limits) -> Int32 { Int32(clamping: max(64, limits.maxConnections)) }

    /// Adds the request handler of `peer`'s transport: the line protocol or the HTTP API.
    private func install(on channel: any Channel, _ peer: ManagementPeer) throws {
        let limits = configuration.limits
        switch peer.transport {
        case .http, .https:
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: false,
                                                                              withErrorHandling: true)
            try channel.pipeline.syncOperations.addHandler(
                ManagementHTTPHandler(limits: limits, service: service, peer: peer, logger: logger,
                                      inFlight: inFlight, largeRequestSlot: largeRequestSlot))
        case .tcp, .tls, .unix:
            try channel.pipeline.syncOperations.addHandler(
                ManagementConnectionHandler(limits: limits, service: service, peer: peer, logger: logger,
                                            inFlight: inFlight, largeRequestSlot: largeRequestSlot))
        }
    }

    /// The (most significant) subject CN of a verified client certificate.
    static func commonName(_ certificate: NIOSSLCertificate) -> String? {
        certificate.subjectName.last { $0.type == .commonName }?.value
    }

    /// Who is at the other end: the TCP address, or the Unix peer's pid, uid and gid (SO_PEERCRED).
    private static func peer(of channel: any Channel, _ transport: ManagementPeer.Transport,
                             path: String) -> EventLoopFuture<ManagementPeer> {
        switch transport {
        case .tcp, .tls, .http, .https:
            return channel.eventLoop.makeSucceededFuture(
                ManagementPeer(transport: transport, address: channel.remoteAddress.map(Self.text) ?? "unknown"))
        case .unix:
            guard let provider = channel as? any SocketOptionProvider else {
                return channel.eventLoop.makeSucceededFuture(.unix(nil, path: path))
            }
            let credentials: EventLoopFuture<PeerCredentials> =
                provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
            return credentials.map { ManagementPeer.unix($0, path: path) }
                .recover { _ in ManagementPeer.unix(nil, path: path) }
        }
    }

    /// `ip:port` or `[ipv6]:port`.
    static func text(_ address: NIOCore.SocketAddress) -> String {
        guard let ip = address.ipAddress, let port = address.port else { return "\(address)" }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    /// Counts the connection; refuses it (with an error response) beyond ``Limits/maxConnections``,
    /// or for TCP beyond ``Limits/maxConnections`` less ``Limits/reservedUnixConnections``.
    private func admit(_ channel: any Channel, _ transport: ManagementPeer.Transport, limits: Limits) -> Bool {
        let open = connections.add(1, ordering: .relaxed).newValue
        channel.closeFuture.whenComplete { _ in self.connections.subtract(1, ordering: .relaxed) }
        let limit = transport == .unix ? limits.maxConnections
            : max(1, limits.maxConnections - limits.reservedUnixConnections)
        guard open <= limit else {
            logger.warning("too many management connections",
                           metadata: ["open": "\(open)", "mgmt.transport": "\(transport.rawValue)"])
            ManagementJob.send(
                ManagementRequestError("too many management connections (at most \(limits.maxConnections))").response,
                on: channel, writeTimeout: limits.writeTimeout)
            return false
        }
        return true
    }
}

/// The one large request being received or handled (see ``ManagementServer/Limits/largeRequestBytes``).
final class LargeRequestSlot: Sendable {
    private let held = Atomic<Bool>(false)

    /// Takes the slot; false when another connection holds it.
    func tryAcquire() -> Bool { held.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged }

    func release() { held.store(false, ordering: .releasing) }

    var isHeld: Bool { held.load(ordering: .relaxed) }
}
