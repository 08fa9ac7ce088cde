import ShadowCore

/// A worker reporting for duty after its privilege drop (the master checks the ids against
/// `/proc/PID/status` and the generation against the one it started).
public struct ReadyMessage: Hashable, Sendable {
    public var pid: UInt32
    public var uid: UInt32
    public var gid: UInt32
    /// The start number the master gave this worker (argv/IPC), echoed back.
    public var workerGeneration: UInt64

    public init(pid: UInt32, uid: UInt32, gid: UInt32, workerGeneration: UInt64) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.workerGeneration = workerGeneration
    }
}

/// Announces the sealed memfd attached to the same message: what it must contain. The worker
/// maps it, checks size and digest, decodes it and only then swaps it in.
public struct SnapshotAnnouncement: Hashable, Sendable {
    /// The reservation set's generation (increases by one per successful load).
    public var snapshotGeneration: UInt64
    /// Exact size of the encoded snapshot (the memfd's size).
    public var byteCount: UInt64
    /// ``SnapshotDigest`` of those bytes.
    public var digest: UInt64
    /// Number of reservations encoded.
    public var reservationCount: UInt32

    public init(snapshotGeneration: UInt64, byteCount: UInt64, digest: UInt64, reservationCount: UInt32) {
        self.snapshotGeneration = snapshotGeneration
        self.byteCount = byteCount
        self.digest = digest
        self.reservationCount = reservationCount
    }
}

/// The worker swapped in a snapshot.
public struct SnapshotApplied: Hashable, Sendable {
    public var snapshotGeneration: UInt64
    public var reservationCount: UInt32

    public init(snapshotGeneration: UInt64, reservationCount: UInt32) {
        self.snapshotGeneration = snapshotGeneration
        self.reservationCount = reservationCount
    }
}

/// The worker refused a snapshot and keeps serving the previous one.
public struct SnapshotRejected: Hashable, Sendable {
    /// Why, as a wire code.
    public enum Reason: UInt16, Sendable, CaseIterable {
        /// The descriptor could not be mapped, or was not sealed.
        case unusableDescriptor = 1
        /// The memfd's size is not the announced byte count.
        case sizeMismatch = 2
        /// The digest of the bytes is not the announced one.
        case digestMismatch = 3
        /// The bytes do not decode (or the count differs from the announcement).
        case malformed = 4
    }

    public var snapshotGeneration: UInt64
    public var reason: Reason

    public init(snapshotGeneration: UInt64, reason: Reason) {
        self.snapshotGeneration = snapshotGeneration
        self.reason = reason
    }
}

/// What the v4 worker learned from a DHCPv4 ACK (docs/dhcpv6.md): the client's MAC and the
/// reservation's Option 82. The master timestamps it.
public struct BindingLearned: Hashable, Sendable {
    public var mac: MACAddress
    public var option82: Option82

    public init(mac: MACAddress, option82: Option82) {
        self.mac = mac
        self.option82 = option82
    }
}

/// One binding as the master holds it.
public struct BindingRecord: Hashable, Sendable {
    public var mac: MACAddress
    public var option82: Option82
    /// Seconds since the Unix epoch when the binding was last learned or refreshed.
    public var lastSeen: UInt64

    public init(mac: MACAddress, option82: Option82, lastSeen: UInt64) {
        self.mac = mac
        self.option82 = option82
        self.lastSeen = lastSeen
    }
}

/// Opens or closes a full binding-table transfer.
public struct BindingTableMarker: Hashable, Sendable {
    /// Identifies this transfer; begin, every chunk and commit carry the same value.
    public var tableGeneration: UInt64
    /// Total records in the transfer.
    public var entryCount: UInt32

    public init(tableGeneration: UInt64, entryCount: UInt32) {
        self.tableGeneration = tableGeneration
        self.entryCount = entryCount
    }
}

/// Part of a full binding-table transfer.
public struct BindingTableChunk: Hashable, Sendable {
    public var tableGeneration: UInt64
    public var records: [BindingRecord]

    public init(tableGeneration: UInt64, records: [BindingRecord]) {
        self.tableGeneration = tableGeneration
        self.records = records
    }
}

/// A named counter value (names are ASCII, 1–255 bytes, e.g. `v4.discover`).
public struct Counter: Hashable, Sendable {
    public var name: String
    public var value: UInt64

    public init(name: String, value: UInt64) {
        self.name = name
        self.value = value
    }
}

/// The configuration a worker serves with: the master's validated `ids.json` and `config.json`,
/// byte for byte, which the worker parses with the same loader (so both see the same settings
/// even if the files changed on disk since the master started).
public struct WorkerConfiguration: Hashable, Sendable {
    public var idsJSON: [UInt8]
    public var configJSON: [UInt8]
    public init(idsJSON: [UInt8], configJSON: [UInt8]) {
        self.idsJSON = idsJSON
        self.configJSON = configJSON
    }
}

/// Every IPC message, one case per ``MessageType``.
public enum IPCMessage: Hashable, Sendable {
    case ready(ReadyMessage)
    case shutdown
    case snapshot(SnapshotAnnouncement)
    case snapshotApplied(SnapshotApplied)
    case snapshotRejected(SnapshotRejected)
    case bindingLearned(BindingLearned)
    case bindingUpdate(BindingRecord)
    case bindingRemove(MACAddress)
    case bindingTableBegin(BindingTableMarker)
    case bindingTableChunk(BindingTableChunk)
    case bindingTableCommit(BindingTableMarker)
    /// An event record: one JSON line as UTF-8 bytes (opaque to IPC; checked to be UTF-8).
    case event([UInt8])
    case counters([Counter])
    case configure(WorkerConfiguration)
    case statusRequest(UInt64)
    case statusResponse(StatusResponse)
    case reloadRequest(UInt64)
    case replaceRequest(ReplaceRequest)
    case mutationResult(MutationResult)
    case workersRequest(UInt64)
    case workersResponse(WorkersResponse)
    case statsRequest(UInt64)
    case statsResponse(StatsResponse)
    case bindingsRequest(BindingsRequest)
    case bindingsResponse(BindingsResponse)
    case versionRequest(UInt64)
    case versionResponse(VersionResponse)
    case access(OpsAccess)
    case shares(WorkerShares)
    case peerSetup(PeerSetup)
    case peerStates(PeerStates)
    case peerBindings([BindingRecord])
    case localBindings([BindingRecord])
    case bindingTableRequest(UInt64)
    case changesRequest(ChangesRequest)
    case lastServedRequest(UInt64)
    case lastServedQuery(UInt64)
    case lastServedReport(LastServedReport)
    case lastServedResponse(LastServedResponse)
    case rateLimits(RateLimitSettings)

    public var type: MessageType {
        switch self {
        case .ready: .ready
        case .shutdown: .shutdown
        case .snapshot: .snapshot
        case .snapshotApplied: .snapshotApplied
        case .snapshotRejected: .snapshotRejected
        case .bindingLearned: .bindingLearned
        case .bindingUpdate: .bindingUpdate
        case .bindingRemove: .bindingRemove
        case .bindingTableBegin: .bindingTableBegin
        case .bindingTableChunk: .bindingTableChunk
        case .bindingTableCommit: .bindingTableCommit
        case .event: .event
        case .counters: .counters
        case .configure: .configure
        case .statusRequest: .statusRequest
        case .statusResponse: .statusResponse
        case .reloadRequest: .reloadRequest
        case .replaceRequest: .replaceRequest
        case .mutationResult: .mutationResult
        case .workersRequest: .workersRequest
        case .workersResponse: .workersResponse
        case .statsRequest: .statsRequest
        case .statsResponse: .statsResponse
        case .bindingsRequest: .bindingsRequest
        case .bindingsResponse: .bindingsResponse
        case .versionRequest: .versionRequest
        case .versionResponse: .versionResponse
        case .access: .access
        case .shares: .shares
        case .peerSetup: .peerSetup
        case .peerStates: .peerStates
        case .peerBindings: .peerBindings
        case .localBindings: .localBindings
        case .bindingTableRequest: .bindingTableRequest
        case .changesRequest: .changesRequest
        case .lastServedRequest: .lastServedRequest
        case .lastServedQuery: .lastServedQuery
        case .lastServedReport: .lastServedReport
        case .lastServedResponse: .lastServedResponse
        case .rateLimits: .rateLimits
        }
    }
}
