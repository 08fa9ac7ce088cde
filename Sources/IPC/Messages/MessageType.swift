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
        }
    }

    /// Whether a message of this type must carry exactly one descriptor (all others carry none).
    public var carriesDescriptor: Bool { self == .snapshot }
}
