import IPC
import ShadowCore
import ShadowSystem
import SystemPackage

/// The master's view of one sandboxed child — a DHCP worker or the operations process — across
/// its restarts.
final class WorkerSlot {
    let kind: WorkerKind
    /// Which of the protocol's workers this is (0 ..< workers_v4 or workers_v6; 0 for ops).
    let index: Int
    /// The sockets the master bound for it, at their fixed numbers in the child: the UDP socket of
    /// a worker, the listeners of the operations process. Kept by the master, so a restarted
    /// child gets the very same sockets.
    let inherited: [DescriptorMapping]
    /// The operations process's listeners, as its command line names them (empty for a worker).
    let listeners: [OpsArguments.Listener]
    /// Event lines from this worker the master could not forward to the operations process.
    var eventsNotForwarded: UInt64 = 0

    var child: ChildProcess?
    var channel: SeqPacketChannel?
    /// Start number: 1 for the first start, +1 for every restart.
    var generation: UInt64 = 0
    var ready = false
    var startedAt: UInt64 = 0
    var restarts = 0
    /// Times its process was ended by its seccomp filter (SIGSYS).
    var seccompKills: UInt64 = 0
    /// The rate and rules its learned bindings must keep (``BindingAdmission``).
    var bindingAdmission = BindingAdmission()
    /// Learned bindings refused since the master started (every start of this slot).
    var bindingsRefused: UInt64 = 0
    /// Refusal kinds already logged for the running process (one line each per start).
    var loggedRefusals: Set<BindingAdmission.Refusal> = []
    /// Its stdout and stderr pipes while it runs.
    var outputs: [ChildOutput] = []
    /// The rate its output lines are passed on at, across its restarts (set by the master from
    /// `logging.child_lines_per_s`).
    var outputLimit = OutputRateLimit(linesPerSecond: LoggingSettings.defaultChildLinesPerSecond,
                                      now: Clocks.monotonicMilliseconds())
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

    /// A DHCP worker slot serving `udp` and, with bulk leasequery, accepting on `bulkListener`.
    init(kind: WorkerKind, index: Int = 0, udp: FileDescriptor, bulkListener: FileDescriptor? = nil) {
        self.kind = kind
        self.index = index
        self.inherited = [DescriptorMapping(udp, as: WorkerDescriptors.udp)]
            + (bulkListener.map { [DescriptorMapping($0, as: WorkerDescriptors.bulkListener)] } ?? [])
        self.listeners = []
    }

    /// The operations process's slot, with its listening sockets in order from
    /// ``OpsDescriptors/firstListener``.
    init(opsListeners: [(ListenerRole, FileDescriptor)]) {
        kind = .ops
        index = 0
        var number = OpsDescriptors.firstListener
        var mappings: [DescriptorMapping] = []
        var named: [OpsArguments.Listener] = []
        for (role, fd) in opsListeners {
            mappings.append(DescriptorMapping(fd, as: number))
            named.append(OpsArguments.Listener(role: role, descriptor: number))
            number += 1
        }
        inherited = mappings
        listeners = named
    }

    /// The child's end of the IPC socketpair goes here.
    var ipcDescriptor: Int32 { kind == .ops ? OpsDescriptors.ipc : WorkerDescriptors.ipc }

    /// argv for a start with the current generation.
    /// `systemTrustRoots`: ops must load the system's TLS trust roots before its sandbox.
    /// `logFormat`: the master's own, so every process's lines share one format.
    func argv(user: String, rootDirectory: String, systemTrustRoots: Bool = false, logFormat: LogFormat = .json) -> [String] {
        if kind == .ops {
            return OpsArguments(generation: generation, user: user, rootDirectory: rootDirectory,
                                listeners: listeners, systemTrustRoots: systemTrustRoots, logFormat: logFormat).argv
        }
        return WorkerArguments(generation: generation, user: user, rootDirectory: rootDirectory,
                               logFormat: logFormat).argv(for: kind)
    }

    var pid: Int32? { child?.pid }
}
