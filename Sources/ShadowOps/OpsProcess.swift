import IPC
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ShadowCore
import ShadowLogging
import ShadowOperations
import ShadowSystem
import SystemPackage

/// The `main` of `shadow-ops`: the network-facing control plane (management line protocol,
/// `/metrics`, the analytics event writer) in its own sandboxed process. It accepts on listening
/// sockets the master bound, parses and validates every request, and asks the master — over IPC,
/// with typed messages only — for what needs the master's state.
public enum OpsProcess {
    /// Checks the inherited descriptors, drops every privilege, reports ready, waits for the
    /// configuration and the first snapshot, then serves until the master says shutdown.
    ///
    /// Exit statuses: 0 shutdown, 1 runtime failure, 2 not started by shadow-master, 3 the
    /// privilege drop failed.
    public static func run(argv: [String] = CommandLine.arguments) -> Int32 {
        SignalDisposition.ignoreBrokenPipe()
        guard let args = OpsArguments(argv), inheritedDescriptorsLookRight(args) else {
            complain("shadow-ops is the operations process: it must be started by shadow-master.")
            return 2
        }
        SignalDisposition.ignore([Signal.interrupt, Signal.hangUp])
        // What the ClickHouse writer needs from the file system and the kernel, read while that is
        // still possible: the host name (the rows' default host_name) and, for an https URL, the
        // system trust store.
        let before = BeforeSandbox(hostName: CurrentProcess.hostName,
                                   trustRoots: args.systemTrustRoots ? Result { try SystemTrustRoots.load() } : nil)
        let status: ProcessStatus
        do {
            let filter = SeccompFilter.ops(listeners: args.listeners.map(\.descriptor))
            status = try Sandbox.enter(SandboxPlan(user: args.user, rootDirectory: args.rootDirectory, seccomp: filter))
        } catch {
            complain("shadow-ops: privilege drop failed, refusing to serve: \(error)")
            return 3
        }
        // Only now, without privileges, may anything start a thread.
        ShadowLogHandler.bootstrap(process: "ops", level: .info, output: LogOutput(stdoutFormat: args.logFormat))
        // Swift tasks run on a NIO thread, not on Dispatch's pool: Dispatch's pool monitor reads
        // /proc/TID/stat once a second while work is queued and crashes the process when it
        // cannot (the chroot has no /proc, and the filter allows no open).
        NIOSingletons.groupLoopCountSuggestion = 1
        guard NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() else {
            complain("shadow-ops: cannot run Swift tasks on NIO's event loop; refusing to serve")
            return 1
        }
        var logger = Logger(label: "shadowdhcp.ops")
        logger[metadataKey: "worker.generation"] = "\(args.generation)"
        let link: OpsLink
        do {
            let channel = try SeqPacketChannel(adopting: FileDescriptor(rawValue: OpsDescriptors.ipc))
            link = OpsLink(channel: channel, generation: args.generation, logger: logger)
            try link.sendReady(ReadyMessage(pid: UInt32(CurrentProcess.id), uid: status.uids[0], gid: status.gids[0],
                                            workerGeneration: args.generation))
        } catch {
            logger.error("ops process cannot start: \(error)")
            return 1
        }
        // Nothing is served before there is a configuration and a snapshot: clients wait in the
        // listeners' backlog meanwhile.
        switch link.serve(until: { link.context != nil && link.context?.snapshot.generation != 0 }) {
        case .shutdown: return 0
        case .failure(let why):
            logger.error("ops process stopping: \(why)")
            return 1
        case .ready: break
        }
        guard let config = link.configuration.withLock({ $0 }) else { return 1 }
        logger.logLevel = config.logging.level.swiftLogLevel
        let services = Services(link: link, logger: logger, before: before)
        do {
            try services.start(config: config, args: args)
        } catch {
            logger.critical("ops process cannot serve: \(error)")
            services.stop()
            return 1
        }
        logger.info("ops process serving", metadata: ["listeners": "\(args.listeners.map(\.role.rawValue))"])
        let end = link.serve()
        link.closeRequests()
        services.stop()
        if case .failure(let why) = end {
            logger.error("ops process stopping: \(why)")
            return 1
        }
        return 0
    }

    /// fd 3 must be a Unix SOCK_SEQPACKET socket, each listener a listening stream socket of the
    /// family its role needs.
    static func inheritedDescriptorsLookRight(_ args: OpsArguments) -> Bool {
        guard SocketKind.isUnixSeqPacket(FileDescriptor(rawValue: OpsDescriptors.ipc)) else { return false }
        return args.listeners.allSatisfy { l in
            let fd = FileDescriptor(rawValue: l.descriptor)
            return l.role == .managementUnix ? StreamListener.isListeningUnix(fd) : StreamListener.isListeningIP(fd)
        }
    }

    private static func complain(_ message: String) {
        StandardError.write(message + "\n")
    }
}

/// What `shadow-ops` read before its sandbox.
struct BeforeSandbox {
    var hostName: String?
    /// With `--trust-roots system`: the system trust store, or why it did not load.
    var trustRoots: Result<[NIOSSLCertificate], any Error>?
}

/// Management, metrics, the event writers and the HA peer channel on one event-loop thread.
final class Services {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let link: OpsLink
    let logger: Logger
    let before: BeforeSandbox
    private var management: ManagementServer?
    private var metrics: MetricsServer?
    private var events: EventWriter?
    private var clickhouse: ClickHouseWriter?
    private var peers: PeerManager?

    init(link: OpsLink, logger: Logger, before: BeforeSandbox) {
        self.link = link
        self.logger = logger
        self.before = before
    }

    func start(config: ServerConfig, args: OpsArguments) throws {
        if let address = config.events.tcp {
            let writer = EventWriter(configuration: .init(address: address, queueSize: config.events.queueSize),
                                     eventLoop: group.next(), logger: Logger(label: "shadowdhcp.events"))
            events = writer
            link.events.withLock { $0.tcp = writer }
        }
        if let settings = config.events.clickhouse {
            let writer = try startClickHouse(settings, queueSize: config.events.queueSize)
            clickhouse = writer
            link.events.withLock { $0.clickhouse = writer }
        }
        try startPeers(config: config, args: args)
        let backend = OpsBackend(link: link, eventLoop: group.next())
        var managementSockets: [ManagementServer.BoundListener] = []
        if let fd = args.descriptor(for: .managementTCP) { managementSockets.append(.init(descriptor: fd, transport: .tcp)) }
        if let fd = args.descriptor(for: .managementHTTP) { managementSockets.append(.init(descriptor: fd, transport: .http)) }
        if let fd = args.descriptor(for: .managementUnix) {
            managementSockets.append(.init(descriptor: fd, transport: .unix, path: config.mgmtSocket ?? ""))
        }
        if !managementSockets.isEmpty {
            var limits = ManagementServer.Limits()
            limits.maxRequestBytes = config.mgmtMaxRequestBytes
            limits.maxConnections = config.mgmtMaxConnections
            let access = link.authorization.withLock { $0 }
            let authorization = ManagementAuthorization(
                tokens: access?.tokens, unixGroup: access?.group, unixGroupRole: config.mgmtAuth.unixGroupRole,
                tcpInsecureWrites: config.mgmtTCPInsecureWrites, clientRoles: config.mgmtTLS?.clientRoles ?? [:])
            // The master read mgmt_tls's files (this process may open none) and sent their bytes.
            let tls = access?.tls.map {
                ManagementServer.TLS(certificatePEM: $0.certificatePEM, keyPEM: $0.keyPEM, clientCAPEM: $0.clientCAPEM)
            }
            if config.mgmtTLS != nil && tls == nil {
                throw ManagementServer.StartError(description: "mgmt_tls is configured but the master sent no TLS material")
            }
            let writer = events
            let server = ManagementServer(
                configuration: .init(boundSockets: managementSockets, limits: limits, authorization: authorization,
                                     tls: tls),
                backend: backend, group: group, logger: Logger(label: "shadowdhcp.management"),
                events: writer.map { w in { @Sendable line in _ = w.submit(line) } })
            management = server
            try server.startBlocking()
        }
        if let fd = args.descriptor(for: .metrics), let address = config.metricsAddress {
            let server = MetricsServer(address: address, boundSocket: fd,
                                       source: BackendMetricsSource(backend: backend, audit: management?.audit),
                                       group: group, logger: Logger(label: "shadowdhcp.metrics"))
            metrics = server
            try server.startBlocking()
        }
    }

    /// The ClickHouse writer (`events.clickhouse`) on its own loop turn, with its own queue.
    private func startClickHouse(_ settings: EventSettings.ClickHouse, queueSize: Int) throws -> ClickHouseWriter {
        guard let url = settings.endpoint else {
            throw StartError(description: "events.clickhouse.url \"\(settings.url)\" does not parse")
        }
        var trustRoots: [NIOSSLCertificate]?
        if url.scheme == .https {
            guard let loaded = before.trustRoots else {
                throw StartError(description: "events.clickhouse.url is https but the master did not ask for the trust store")
            }
            trustRoots = try loaded.get()
        }
        let hostName = settings.hostname ?? before.hostName ?? "unknown"
        return try ClickHouseWriter(
            configuration: .init(url: url, user: settings.user, password: settings.password, database: settings.database,
                                 hostName: hostName, trustRoots: trustRoots, queueSize: queueSize),
            eventLoop: group.next(), logger: Logger(label: "shadowdhcp.clickhouse"))
    }

    /// The HA peer channel, when `ha` is configured: it needs the `ha-peers` listener and the
    /// master's `peer-setup` (the key), or ops does not start.
    private func startPeers(config: ServerConfig, args: OpsArguments) throws {
        guard let ha = config.ha else { return }
        guard let fd = args.descriptor(for: .haPeers) else {
            throw StartError(description: "ha is configured but the master passed no ha-peers listener")
        }
        guard let setup = link.peerSetup.withLock({ $0 }) else {
            throw StartError(description: "ha is configured but the master sent no peer-setup (the key)")
        }
        let writer = events
        let manager = PeerManager(
            configuration: .init(settings: ha, key: setup.key, tableSynced: setup.tableSynced, listener: fd),
            master: OpsPeerLink(link: link), eventLoop: group.next(), logger: Logger(label: "shadowdhcp.ha"),
            events: writer.map { w in { @Sendable line in _ = w.submit(line) } })
        peers = manager
        try manager.startBlocking()
        link.peers.withLock { $0 = manager }
    }

    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    /// Stops the listeners and drains the event queue (bounded). The event-loop threads end with
    /// the process, which exits right after: NIO's group shutdown reports on a Dispatch queue,
    /// and a Dispatch worker thread must never start in ops (see ``OpsProcess/run(argv:)``).
    func stop() {
        link.peers.withLock { $0 = nil }
        peers?.stopBlocking()
        management?.stopBlocking()
        metrics?.stopBlocking()
        link.events.withLock { $0 = EventSinks() }
        // Both drain at once (each within 5 s): the master allows ops 7 s to stop.
        EventWriters.shutdownBlocking(tcp: events, clickhouse: clickhouse, timeout: .seconds(5))
    }
}
