import Logging
import NIOPosix
import ShadowCore
import ShadowOperations

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

    /// Starts what `config` enables; throws when a listener cannot be bound.
    func start(config: ServerConfig, backend: MasterBackend, logger: Logger) throws {
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
            limits.maxConnections = config.mgmtMaxConnections
            let server = ManagementServer(
                configuration: .init(tcpAddress: config.mgmtAddress, unixSocketPath: config.mgmtSocket, limits: limits),
                backend: backend, group: group, logger: Logger(label: "shadowdhcp.management"))
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
            let server = MetricsServer(address: address, source: BackendMetricsSource(backend: backend),
                                       group: group, logger: Logger(label: "shadowdhcp.metrics"))
            do {
                try server.startBlocking()
            } catch {
                throw StartError(description: "Failed to bind metrics to \(address): \(error)")
            }
            metrics = server
        }
    }

    /// Stops the listeners, drains the event queue (bounded), ends the event-loop thread.
    func stop() {
        management?.stopBlocking()
        metrics?.stopBlocking()
        events?.shutdownBlocking(timeout: .seconds(5))
        try? group.syncShutdownGracefully()
    }
}
