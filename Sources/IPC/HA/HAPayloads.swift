import ShadowCore

// The messages of high availability (docs/high-availability.md, docs/ipc.md "High
// availability"): the operations process runs the peer channel; the master receives from it only
// typed binding records and the peers' states, validates them, merges the bindings and tells
// the workers which clients to answer.

/// Master → v4 and v6 worker: which clients to answer (``ServiceShares``), and — v6 only —
/// whether answers that need a binding from the table wait for the first peer table pull.
public struct WorkerShares: Hashable, Sendable {
    public var shares: ServiceShares
    /// While true, a DHCPv6 client found only through the binding table (MAC correlation) is not
    /// answered yet: this server has not merged its peers' bindings since it started.
    public var holdCorrelation: Bool

    public init(shares: ServiceShares, holdCorrelation: Bool) {
        self.shares = shares
        self.holdCorrelation = holdCorrelation
    }

    /// What the workers are told while the peers in `livePeers` are up: the shares of the live
    /// servers; before the first table pull (`tableSynced` false) none in load-balancing and
    /// hot-standby, and the correlation hold. The master's rule, and `explain`'s.
    public init(settings: HASettings, livePeers: Set<String>, tableSynced: Bool) {
        var shares = ServiceShares(settings: settings, up: livePeers)
        if !tableSynced && settings.mode != .activeActive { shares.answering = 0 }
        self.init(shares: shares, holdCorrelation: !tableSynced)
    }

    /// No HA: everyone answered, nothing held.
    public static let standalone = WorkerShares(shares: .standalone, holdCorrelation: false)
}

/// Master → ops, after `access`: what only the master can read for the peer channel.
public struct PeerSetup: Hashable, Sendable {
    /// The shared key: the whole content of `ha.key_file` (checked by the master: mode, length).
    public var key: [UInt8]
    /// Whether the master already merged a peer's table (or gave up waiting) since it started: a
    /// restarted ops process need not pull again before the server serves its share.
    public var tableSynced: Bool

    public init(key: [UInt8], tableSynced: Bool) {
        self.key = key
        self.tableSynced = tableSynced
    }

    public static let maximumKeyBytes = 4096
}

/// Ops → master: the peers' states as the peer channel sees them.
public struct PeerStates: Hashable, Sendable {
    /// The configured peers that count as alive for the shares: authenticated heartbeats within
    /// `heartbeat_ms × max_missed_heartbeats` that say the peer serves, or — for a peer not yet
    /// heard from — less than that time since ops started.
    public var livePeers: [String]
    /// The first table pull is done (merged, or no peer answered within 5 s).
    public var tableSynced: Bool

    public init(livePeers: [String], tableSynced: Bool) {
        self.livePeers = livePeers
        self.tableSynced = tableSynced
    }
}

/// The largest number of bindings in one `peer-bindings` or `local-bindings` message (a peer
/// frame carries up to 4,096; the IPC message size splits them further).
public enum HABindingBatch {
    /// The messages that carry `records`, each within `maximumMessageSize`; `make` wraps a part.
    public static func messages(
        for records: [BindingRecord], maximumMessageSize: Int = IPCLimits.maximumMessageSize,
        _ make: ([BindingRecord]) -> IPCMessage
    ) throws(IPCError) -> [IPCMessage] {
        let budget = maximumMessageSize - IPCHeader.size - 2
        var out: [IPCMessage] = []
        var part: [BindingRecord] = []
        var used = 0
        for record in records {
            let size = PayloadEncoder.bindingSize(record)
            guard size <= budget else { throw .oversize(size: size + IPCHeader.size + 2, limit: maximumMessageSize) }
            if used + size > budget || part.count == Int(UInt16.max) {
                out.append(make(part))
                part.removeAll(keepingCapacity: true)
                used = 0
            }
            part.append(record)
            used += size
        }
        if !part.isEmpty { out.append(make(part)) }
        return out
    }
}
