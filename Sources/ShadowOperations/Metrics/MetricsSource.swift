import ShadowSystem

/// Everything `/metrics` exposes, gathered at scrape time.
public struct MetricsReport: Sendable, Equatable {
    public var stats: StatsReport
    public var status: StatusReport
    public var workers: [WorkerReport]
    public var bindingCount: Int
    /// Scrape time in seconds since the Unix epoch (the snapshot age is measured against it).
    public var now: Double

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

    public init(backend: any ManagementBackend, clock: @escaping @Sendable () -> Double = { Clocks.unixSeconds() }) {
        self.backend = backend
        self.clock = clock
    }

    public func metricsReport() async -> MetricsReport {
        async let stats = backend.stats()
        async let status = backend.status()
        async let workers = backend.workers()
        async let bindings = backend.bindingCount()
        return MetricsReport(stats: await stats, status: await status, workers: await workers,
                             bindingCount: await bindings, now: clock())
    }
}
