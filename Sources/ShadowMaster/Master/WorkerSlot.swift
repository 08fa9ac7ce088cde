import IPC
import ShadowSystem
import SystemPackage

/// The master's view of one worker process, across its restarts.
final class WorkerSlot {
    let kind: WorkerKind
    /// Which of the protocol's workers this is (0 ..< workers_v4 or workers_v6).
    let index: Int
    /// The bound UDP socket, kept by the master so a restarted worker gets the same one.
    let udp: FileDescriptor

    var child: ChildProcess?
    var channel: SeqPacketChannel?
    /// Start number: 1 for the first start, +1 for every restart.
    var generation: UInt64 = 0
    var ready = false
    var startedAt: UInt64 = 0
    var restarts = 0
    var backoff = RestartBackoff()
    /// When (monotonic ms) to start it again after it died; nil while it runs.
    var restartAt: UInt64?
    /// The snapshot generation the worker last confirmed.
    var appliedSnapshot: UInt64 = 0
    /// The last counters the running worker reported (cumulative since its start).
    var counters: [String: UInt64] = [:]
    /// Counters of this slot's earlier, ended workers, so totals survive restarts.
    var retiredCounters: [String: UInt64] = [:]

    /// Counters since the master started: the ended workers' plus the running one's.
    var totalCounters: [String: UInt64] { retiredCounters.merging(counters, uniquingKeysWith: +) }

    /// Folds the running worker's counters into the retired ones (when it ends).
    func retireCounters() {
        retiredCounters = totalCounters
        counters = [:]
    }
    /// Messages waiting for room in the worker's channel (the master never blocks on a worker).
    var outbox: [(bytes: [UInt8], fd: FileDescriptor?)] = []
    var outboxBytes = 0
    /// More than this waiting means the worker does not read its channel (a full binding table of
    /// 1,000,000 entries is about 30 MB).
    static let outboxLimit = 256 * 1024 * 1024

    /// What `/proc/PID/status` said when it reported ready.
    var status: ProcessStatus?

    init(kind: WorkerKind, index: Int = 0, udp: FileDescriptor) {
        self.kind = kind
        self.index = index
        self.udp = udp
    }

    var pid: Int32? { child?.pid }
}
