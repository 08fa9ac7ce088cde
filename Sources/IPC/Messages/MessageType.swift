/// The type field of an IPC header. Numbers are wire values and never reused.
public enum MessageType: UInt16, CaseIterable, Sendable, CustomStringConvertible {
    /// Worker → master, once after its privilege drop: ``ReadyMessage``.
    case ready = 1
    /// Master → worker: stop serving and exit. Empty payload.
    case shutdown = 2
    /// Master → worker: a reservation snapshot in a sealed memfd (attached): ``SnapshotAnnouncement``.
    case snapshot = 3
    /// Worker → master: the snapshot was verified and swapped in: ``SnapshotApplied``.
    case snapshotApplied = 4
    /// Worker → master: the snapshot was refused; the old one stays: ``SnapshotRejected``.
    case snapshotRejected = 5
    /// v4 worker → master: a DHCPv4 ACK bound this MAC to this Option 82: ``BindingLearned``.
    case bindingLearned = 6
    /// Master → v6 worker: add or replace one binding: ``BindingRecord``.
    case bindingUpdate = 7
    /// Master → v6 worker: forget one binding (expired or orphaned). Payload: a MAC.
    case bindingRemove = 8
    /// Master → v6 worker: a full binding table follows: ``BindingTableMarker``.
    case bindingTableBegin = 9
    /// Master → v6 worker: part of the full table: ``BindingTableChunk``.
    case bindingTableChunk = 10
    /// Master → v6 worker: the full table is complete; replace the old one now: ``BindingTableMarker``.
    case bindingTableCommit = 11
    /// Worker → master: one event record, an opaque UTF-8 JSON line.
    case event = 12
    /// Worker → master: named u64 counters: ``[Counter]``.
    case counters = 13
    /// Master → worker, once after ``ready``: the server configuration: ``WorkerConfiguration``.
    case configure = 14

    // The operations process (shadow-ops) and the master: typed requests, each answered once
    // with the same request id (docs/ipc.md, "Operations process").

    /// Ops → master: facts for `status`. Payload: request id.
    case statusRequest = 15
    /// Master → ops: ``StatusResponse``.
    case statusResponse = 16
    /// Ops → master: re-read `reservations.json` (the SIGHUP path). Payload: request id.
    case reloadRequest = 17
    /// Ops → master: replace every reservation with the validated set in the attached sealed
    /// memfd: ``ReplaceRequest``.
    case replaceRequest = 18
    /// Master → ops: the outcome of a reload or replace: ``MutationResult``.
    case mutationResult = 19
    /// Ops → master: per-process facts for `workers`. Payload: request id.
    case workersRequest = 20
    /// Master → ops: ``WorkersResponse``.
    case workersResponse = 21
    /// Ops → master: the workers' counters for `stats` and `/metrics`. Payload: request id.
    case statsRequest = 22
    /// Master → ops: ``StatsResponse``.
    case statsResponse = 23
    /// Ops → master: the binding table's size, and one entry: ``BindingsRequest``.
    case bindingsRequest = 24
    /// Master → ops: ``BindingsResponse``.
    case bindingsResponse = 25
    /// Ops → master: the program version. Payload: request id.
    case versionRequest = 26
    /// Master → ops: ``VersionResponse``.
    case versionResponse = 27
    /// Master → ops, after ``configure``: the token file's bytes and the resolved Unix group: ``OpsAccess``.
    case access = 28

    // High availability (docs/high-availability.md): the peer channel runs in ops.

    /// Master → v4 and v6 worker: which clients to answer: ``WorkerShares``.
    case shares = 29
    /// Master → ops, after ``access``: the shared key and whether the first table pull is done: ``PeerSetup``.
    case peerSetup = 30
    /// Ops → master: the peers that count as alive, and whether the first table pull is done: ``PeerStates``.
    case peerStates = 31
    /// Ops → master: bindings a peer sent: `[BindingRecord]` (the master validates and merges them).
    case peerBindings = 32
    /// Master → ops: bindings this server's v4 worker learned, for the peers: `[BindingRecord]`.
    case localBindings = 33
    /// Ops → master: the whole binding table, for a peer's table request. Payload: request id.
    /// Answered with ``bindingTableBegin``, ``bindingTableChunk``s and ``bindingTableCommit``
    /// whose table generation is the request id.
    case bindingTableRequest = 34

    // Last served (docs/operations.md, "Last served and online"): ops asks, the master asks
    // every DHCP worker and merges their answers (the newest time per reservation).

    /// Ops → master: every reservation's last-served times. Payload: request id.
    case lastServedRequest = 35
    /// Master → v4 and v6 worker: report your last-served times. Payload: query id.
    case lastServedQuery = 36
    /// v4 / v6 worker → master: its times in the attached sealed memfd: ``LastServedReport``.
    case lastServedReport = 37
    /// Master → ops: both protocols' merged times in the attached sealed memfd: ``LastServedResponse``.
    case lastServedResponse = 38

    /// Master → v4 and v6 worker: storm control's limits, sent when a SIGHUP finds new
    /// `rate_limits` in config.json (docs/ipc.md, "Storm control"): ``RateLimitSettings``.
    case rateLimits = 39

    /// Ops → master: commit per-reservation changes, given as the changes themselves in the
    /// attached sealed memfd (``ChangeSetCodec``): ``ChangesRequest``. Answered by ``mutationResult``.
    case changesRequest = 40

    public var description: String {
        switch self {
        case .ready: "ready"
        case .shutdown: "shutdown"
        case .snapshot: "snapshot"
        case .snapshotApplied: "snapshot-applied"
        case .snapshotRejected: "snapshot-rejected"
        case .bindingLearned: "binding-learned"
        case .bindingUpdate: "binding-update"
        case .bindingRemove: "binding-remove"
        case .bindingTableBegin: "binding-table-begin"
        case .bindingTableChunk: "binding-table-chunk"
        case .bindingTableCommit: "binding-table-commit"
        case .event: "event"
        case .counters: "counters"
        case .configure: "configure"
        case .statusRequest: "status-request"
        case .statusResponse: "status-response"
        case .reloadRequest: "reload-request"
        case .replaceRequest: "replace-request"
        case .mutationResult: "mutation-result"
        case .workersRequest: "workers-request"
        case .workersResponse: "workers-response"
        case .statsRequest: "stats-request"
        case .statsResponse: "stats-response"
        case .bindingsRequest: "bindings-request"
        case .bindingsResponse: "bindings-response"
        case .versionRequest: "version-request"
        case .versionResponse: "version-response"
        case .access: "access"
        case .shares: "shares"
        case .peerSetup: "peer-setup"
        case .peerStates: "peer-states"
        case .peerBindings: "peer-bindings"
        case .localBindings: "local-bindings"
        case .bindingTableRequest: "binding-table-request"
        case .changesRequest: "changes-request"
        case .lastServedRequest: "last-served-request"
        case .lastServedQuery: "last-served-query"
        case .lastServedReport: "last-served-report"
        case .lastServedResponse: "last-served-response"
        case .rateLimits: "rate-limits"
        }
    }

    /// Whether a message of this type must carry exactly one descriptor (all others carry none).
    public var carriesDescriptor: Bool {
        switch self {
        case .snapshot, .replaceRequest, .changesRequest, .lastServedReport, .lastServedResponse: true
        default: false
        }
    }
}
