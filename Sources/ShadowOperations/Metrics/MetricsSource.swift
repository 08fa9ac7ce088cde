import ShadowSystem

/// Everything `/metrics` exposes, gathered at scrape time.
public struct MetricsReport: Sendable, Equatable {
    public var stats: StatsReport
    public var status: StatusReport
    public var workers: [WorkerReport]
    public var bindingCount: Int
    /// Scrape time in seconds since the Unix epoch (the snapshot age is measured against it).
    public var now: Double
    /// `shadowdhcp_mgmt_requests_total{command,role,result}` (empty without a management server).
    public var managementRequests: [(key: ManagementAudit.Key, value: UInt64)] = []
    /// The HA peer channel (nil without `ha`): the `shadowdhcp_ha_*` families.
    public var peers: PeersReport?
    /// Reservations served within their lease time (nil when the workers' times could not be
    /// had for the live snapshot): `shadowdhcp_online_reservations`.
    public var online: OnlineReport?

    public static func == (a: Self, b: Self) -> Bool {
        a.stats == b.stats && a.status == b.status && a.workers == b.workers && a.bindingCount == b.bindingCount
            && a.now == b.now && a.managementRequests.map(\.key) == b.managementRequests.map(\.key)
            && a.managementRequests.map(\.value) == b.managementRequests.map(\.value) && a.peers == b.peers
            && a.online == b.online
    }

    public init(stats: StatsReport, status: StatusReport, workers: [WorkerReport], bindingCount: Int, now: Double) {
        self.stats = stats
        self.status = status
        self.workers = workers
        self.bindingCount = bindingCount
        self.now = now
    }
}

/// Feeds the metrics endpoint. Called from a Swift task (not the poll thread) once per scrape.
public protocol MetricsSource: Sendable {
    func metricsReport() async -> MetricsReport
}

/// A ``MetricsSource`` built from a ``ManagementBackend``: the master implements one protocol
/// and gets both management and metrics.
public struct BackendMetricsSource: MetricsSource {
    public let backend: any ManagementBackend
    /// The current time in seconds since the Unix epoch (a parameter for tests).
    public let clock: @Sendable () -> Double
    /// The management server's audit, for its request counts.
    public let audit: ManagementAudit?

    public init(backend: any ManagementBackend, audit: ManagementAudit? = nil,
                clock: @escaping @Sendable () -> Double = { Clocks.unixSeconds() }) {
        self.backend = backend
        self.audit = audit
        self.clock = clock
    }

    public func metricsReport() async -> MetricsReport {
        async let stats = backend.stats()
        async let status = backend.status()
        async let workers = backend.workers()
        async let bindings = backend.bindingCount()
        async let peers = backend.peers()
        async let lastServed = backend.lastServed()
        var report = MetricsReport(stats: await stats, status: await status, workers: await workers,
                                   bindingCount: await bindings, now: clock())
        report.managementRequests = audit?.requestCounts ?? []
        report.peers = await peers
        if let times = await lastServed {
            let context = await backend.context()
            if times.snapshotGeneration == context.snapshot.generation {
                report.online = OnlineReport(times: times, snapshot: context.snapshot, config: context.config,
                                             now: UInt64(report.now))
            }
        }
        return report
    }
}
