import IPC
import ShadowOperations

/// The peer channel's view of the master (``PeerMasterLink``) over the ops IPC link
/// (docs/ipc.md, "High availability").
struct OpsPeerLink: PeerMasterLink {
    let link: OpsLink

    func sendPeerStates(_ states: PeerStates) {
        link.send(.peerStates(states))
    }

    func sendPeerBindings(_ records: [BindingRecord]) {
        do {
            for message in try HABindingBatch.messages(for: records, { .peerBindings($0) }) { link.send(message) }
        } catch {
            // A single binding larger than a message: a peer cannot send one (its frame would
            // not have decoded), so this is a bug; drop it rather than break the channel.
            link.logger.error("cannot forward a peer's bindings to the master: \(error)")
        }
    }

    func bindingCount() async -> Int? {
        guard case .bindingsResponse(let r)? = await link.request({
            .bindingsRequest(BindingsRequest(requestID: $0, mac: nil))
        }) else { return nil }
        return Int(r.count)
    }

    func bindingTable() async -> [BindingRecord]? {
        await link.requestTable()
    }

    func liveSnapshot() -> (generation: UInt64, digest: UInt64)? {
        link.announced.withLock { $0 }
    }
}
