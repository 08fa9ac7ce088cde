import Logging
import NIOPosix
import ShadowCore
import ShadowOperations
import ShadowSystem

/// The master's network services besides DHCP: management (TCP and Unix socket), `/metrics`,
/// and the analytics event writer, sharing one event-loop thread. Started after the master
/// dropped its capabilities (threads inherit them), stopped after the workers.
final class Operations {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private(set) var management: ManagementServer?
    private(set) var metrics: MetricsServer?
    private(set) var events: EventWriter?

    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts what `config` enables; throws when a listener cannot be bound or `unix_group` does
    /// not exist. `tokens` is `mgmt_auth.tokens_file` as loaded.
    func start(config: ServerConfig, tokens: TokenTable?, backend: MasterBackend, logger: Logger) throws {
        if config.events.clickhouse != nil {
            // As upstream does when built without ClickHouse support: accepted, warned about, ignored.
            logger.warning("""
                events.clickhouse is configured but this build has no ClickHouse sink; \
                send events.tcp to Vector instead (contrib/vector/vector.toml)
                """)
        }
        if let address = config.events.tcp {
            events = EventWriter(configuration: .init(address: address, queueSize: config.events.queueSize),
                                 eventLoop: group.next(), logger: Logger(label: "shadowdhcp.events"))
        }
        if config.mgmtAddress != nil || config.mgmtSocket != nil {
            var limits = ManagementServer.Limits()
            limits.maxRequestBytes = config.mgmtMaxRequestBytes
            let authorization = try Self.authorization(config, tokens: tokens)
            if config.mgmtTCPInsecureWrites && tokens == nil { logger.warning("\(ConfigCheck.insecureWritesWarning)") }
            let writer = events
            let server = ManagementServer(
                configuration: .init(tcpAddress: config.mgmtAddress, unixSocketPath: config.mgmtSocket, limits: limits,
                                     authorization: authorization),
                backend: backend, group: group, logger: Logger(label: "shadowdhcp.management"),
                events: writer.map { w in { @Sendable line in _ = w.submit(line) } })
            do {
                try server.startBlocking()
            } catch {
                throw StartError(description: "Failed to bind management to "
                    + [config.mgmtAddress?.description, config.mgmtSocket].compactMap { $0 }.joined(separator: " and ")
                    + ": \(error)")
            }
            management = server
            if let a = config.mgmtAddress { logger.info("Bound management to \(a)") }
            if let p = config.mgmtSocket { logger.info("Bound management to \(p)") }
        }
        if let address = config.metricsAddress {
            let server = MetricsServer(address: address,
                                       source: BackendMetricsSource(backend: backend, audit: management?.audit),
                                       group: group, logger: Logger(label: "shadowdhcp.metrics"))
            do {
                try server.startBlocking()
            } catch {
                throw StartError(description: "Failed to bind metrics to \(address): \(error)")
            }
            metrics = server
        }
    }

    /// Who may use management: the loaded tokens, and `unix_group` resolved here, in the master,
    /// to a gid and member uids (the serving side reads no user database).
    static func authorization(_ config: ServerConfig, tokens: TokenTable?) throws -> ManagementAuthorization {
        var group: ResolvedGroup?
        if let name = config.mgmtAuth.unixGroup {
            do {
                group = try GroupDirectory.resolve(name)
            } catch {
                throw StartError(description: "config.json: mgmt_auth.unix_group: \(error)")
            }
        }
        return ManagementAuthorization(tokens: tokens, unixGroup: group, unixGroupRole: config.mgmtAuth.unixGroupRole,
                                       tcpInsecureWrites: config.mgmtTCPInsecureWrites)
    }

    /// Stops the listeners, drains the event queue (bounded), ends the event-loop thread.
    func stop() {
        management?.stopBlocking()
        metrics?.stopBlocking()
        events?.shutdownBlocking(timeout: .seconds(5))
        try? group.syncShutdownGracefully()
    }
}
