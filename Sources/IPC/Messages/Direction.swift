/// One direction of one IPC channel, with the message types allowed on it (the permission
/// table, docs/ipc.md). A decoder for a direction rejects every other type.
public enum Direction: String, CaseIterable, Sendable, CustomStringConvertible {
    case masterToV4 = "master->v4"
    case v4ToMaster = "v4->master"
    case masterToV6 = "master->v6"
    case v6ToMaster = "v6->master"

    /// The message types this direction may carry.
    public var allowedTypes: Set<MessageType> {
        switch self {
        case .masterToV4:
            [.shutdown, .configure, .snapshot]
        case .masterToV6:
            [.shutdown, .configure, .snapshot, .bindingUpdate, .bindingRemove, .bindingTableBegin, .bindingTableChunk,
             .bindingTableCommit]
        case .v4ToMaster:
            [.ready, .snapshotApplied, .snapshotRejected, .bindingLearned, .event, .counters]
        case .v6ToMaster:
            [.ready, .snapshotApplied, .snapshotRejected, .event, .counters]
        }
    }

    public func allows(_ type: MessageType) -> Bool { allowedTypes.contains(type) }

    public var description: String { rawValue }
}
