/// One direction of one IPC channel, with the message types allowed on it (the permission
/// table, docs/ipc.md). A decoder for a direction rejects every other type.
public enum Direction: String, CaseIterable, Sendable, CustomStringConvertible {
    case masterToV4 = "master->v4"
    case v4ToMaster = "v4->master"
    case masterToV6 = "master->v6"
    case v6ToMaster = "v6->master"
    case masterToOps = "master->ops"
    case opsToMaster = "ops->master"

    /// The message types this direction may carry.
    public var allowedTypes: Set<MessageType> {
        switch self {
        case .masterToV4:
            [.shutdown, .configure, .snapshot, .shares, .lastServedQuery, .rateLimits]
        case .masterToV6:
            [.shutdown, .configure, .snapshot, .shares, .lastServedQuery, .rateLimits, .bindingUpdate, .bindingRemove, .bindingTableBegin, .bindingTableChunk,
             .bindingTableCommit]
        case .v4ToMaster:
            [.ready, .snapshotApplied, .snapshotRejected, .bindingLearned, .event, .counters, .lastServedReport]
        case .v6ToMaster:
            [.ready, .snapshotApplied, .snapshotRejected, .event, .counters, .lastServedReport]
        case .masterToOps:
            [.shutdown, .configure, .access, .snapshot, .event, .statusResponse, .mutationResult, .workersResponse,
             .statsResponse, .bindingsResponse, .versionResponse, .peerSetup, .localBindings, .bindingTableBegin,
             .bindingTableChunk, .bindingTableCommit, .lastServedResponse]
        case .opsToMaster:
            // Requests, and what the HA peers sent as typed records (validated and merged by the
            // master like the v4 worker's bindings); never counters, events or text for the master
            // to parse (a replace carries the reservations as a snapshot image, a commit of changes
            // the changes in ChangeSetCodec's binary form).
            [.ready, .statusRequest, .reloadRequest, .replaceRequest, .workersRequest, .statsRequest,
             .bindingsRequest, .versionRequest, .changesRequest, .peerStates, .peerBindings, .bindingTableRequest, .lastServedRequest]
        }
    }

    public func allows(_ type: MessageType) -> Bool { allowedTypes.contains(type) }

    public var description: String { rawValue }
}
