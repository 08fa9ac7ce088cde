import IPC
import ShadowCore
import ShadowSystem

/// What the master knows of high availability: the settings, the peers the operations process
/// reports alive, whether the first table pull is done, and the shares that follow from them
/// (docs/high-availability.md, "Who answers").
///
/// Until ops reports, every peer counts as alive (this server answers only its own share) and
/// the first pull is not done (in load-balancing and hot-standby this server answers nothing
/// yet; in active-active the v6 worker holds back clients that need a binding).
struct PeerShareState {
    let settings: HASettings
    private(set) var livePeers: Set<String>
    /// Latched: once a peer's table was merged (or ops gave up waiting), a restarted ops does not
    /// hold the server back again.
    private(set) var tableSynced = false
    /// Bindings the v4 workers learned that ops has not taken yet (bounded; the oldest go first).
    private(set) var outgoing: [BindingRecord] = []
    var outgoingDropped: UInt64 = 0
    /// When the oldest binding in ``outgoing`` was queued (monotonic ms).
    private var oldestQueuedAt: UInt64?

    static let outgoingLimit = 262_144
    /// Learned bindings go to ops at most this long after they were learned, or at once when a
    /// full batch waits: one IPC message (and one wake-up of ops) per batch instead of per
    /// binding. The peers get them within this plus ops's own 100 ms batching.
    static let handOverMilliseconds: UInt64 = 20
    static let handOverBatch = 4096

    /// When the queued bindings are due to go to ops; nil when none wait.
    var outgoingDue: UInt64? {
        guard let at = oldestQueuedAt else { return nil }
        return outgoing.count >= PeerShareState.handOverBatch ? at : at + PeerShareState.handOverMilliseconds
    }

    /// Takes the queued bindings when they are due at `now`.
    mutating func takeDue(now: UInt64) -> [BindingRecord]? {
        guard let due = outgoingDue, due <= now else { return nil }
        defer {
            outgoing.removeAll(keepingCapacity: true)
            oldestQueuedAt = nil
        }
        return outgoing
    }

    init(settings: HASettings) {
        self.settings = settings
        livePeers = Set(settings.peers.map(\.name))
    }

    /// What every worker is told.
    var workerShares: WorkerShares {
        WorkerShares(settings: settings, livePeers: livePeers, tableSynced: tableSynced)
    }

    /// Applies a report from ops; nil when it names a server that is not a configured peer (a
    /// correct ops never does). Returns whether the shares changed.
    mutating func apply(_ report: PeerStates) -> Bool? {
        let names = Set(settings.peers.map(\.name))
        guard report.livePeers.allSatisfy(names.contains) else { return nil }
        let before = workerShares
        livePeers = Set(report.livePeers)
        tableSynced = tableSynced || report.tableSynced
        return workerShares != before
    }

    /// Queues a locally learned binding for the peers. Returns how many of the oldest were
    /// dropped to make room: 0 almost always; half the queue at once when ops has taken none for
    /// a long time (so the cost is amortised).
    mutating func queue(_ record: BindingRecord, now: UInt64 = Clocks.monotonicMilliseconds()) -> Int {
        if oldestQueuedAt == nil { oldestQueuedAt = now }
        var dropped = 0
        if outgoing.count >= PeerShareState.outgoingLimit {
            dropped = outgoing.count / 2
            outgoing.removeFirst(dropped)
            outgoingDropped &+= UInt64(dropped)
        }
        outgoing.append(record)
        return dropped
    }
}
