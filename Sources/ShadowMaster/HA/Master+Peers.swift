import IPC
import ShadowCore
import ShadowSystem

/// High availability on the master's side (docs/high-availability.md): the peer channel itself
/// runs in the operations process, which hands the master only typed, validated records — the
/// bindings a peer sent, the peers' states, a peer's request for the whole table. The master
/// merges the bindings under the same distrust as the v4 worker's (nothing a peer sends touches
/// a reservation), tells the workers which clients to answer, and gives ops the bindings its own
/// v4 workers learned.
extension Master {
    /// Handles the HA messages from ops; false for any other message.
    func handlePeerMessage(_ message: IPCMessage, from ops: WorkerSlot) -> Bool {
        switch message {
        case .peerStates(let report):
            guard ha != nil, let changed = ha!.apply(report) else {
                logger.error("ops process reported peers that are not configured: \(report.livePeers)")
                abandon(ops, reason: "unknown peers")
                return true
            }
            if changed { sendShares() }
        case .peerBindings(let records):
            guard ha != nil else {
                abandon(ops, reason: "peer bindings without ha")
                return true
            }
            mergePeerBindings(records)
        case .bindingTableRequest(let id):
            guard ha != nil else {
                abandon(ops, reason: "table request without ha")
                return true
            }
            do {
                for m in try BindingTableTransfer.messages(for: bindingRecords, tableGeneration: id) { send(m, to: ops) }
            } catch {
                logger.error("cannot send the binding table to the ops process: \(error)")
            }
        default:
            return false
        }
        return true
    }

    /// Merges bindings a peer sent: `lastSeen` is clamped to this server's clock (a peer whose
    /// clock runs ahead would otherwise win every later merge); the newer binding wins
    /// (`BindingTable.merge`). What changed reaches the v6 workers; nothing goes back to the peers.
    func mergePeerBindings(_ records: [BindingRecord]) {
        let now = Clocks.unixMilliseconds() / 1000
        var changed: [BindingRecord] = []
        var unstorable = 0
        for var r in records {
            // The same field rule as for a worker's bindings: whatever is stored must fit a
            // binding-table transfer to the v6 workers.
            guard BindingAdmission.isStorable(r.option82) else { unstorable += 1; continue }
            r.lastSeen = min(r.lastSeen, now)
            if bindings.merge(mac: r.mac, BindingTable.Entry(option82: r.option82, lastSeen: r.lastSeen)) {
                changed.append(r)
            }
        }
        if unstorable > 0 {
            logger.warning("refused \(unstorable) peer bindings with an empty Option 82 or a field over 255 bytes")
        }
        guard !changed.isEmpty else { return }
        bindingsDirty = true
        guard !stopping else { return }
        for v6 in workers where v6.kind == .v6 && v6.ready {
            for r in changed { send(.bindingUpdate(r), to: v6) }
        }
    }

    /// Tells every ready DHCP worker the current shares.
    func sendShares() {
        guard let ha else { return }
        let message = IPCMessage.shares(ha.workerShares)
        for w in workers where w.kind != .ops && w.ready { send(message, to: w) }
    }

    /// Hands the learned bindings to ops, for the peers, when they are due
    /// (``PeerShareState/outgoingDue``: 20 ms after the oldest, or a full batch). While ops is not
    /// ready they wait (bounded, ``PeerShareState/outgoingLimit``).
    func flushLocalBindings() {
        guard ha != nil, let ops, ops.ready,
              let records = ha!.takeDue(now: Clocks.monotonicMilliseconds()) else { return }
        do {
            for m in try HABindingBatch.messages(for: records, { .localBindings($0) }) { send(m, to: ops) }
        } catch {
            logger.error("cannot hand learned bindings to the ops process: \(error)")
        }
    }

    /// What a newly ready worker needs before its snapshot.
    func sendPeerSetup(to w: WorkerSlot) {
        guard let ha else { return }
        switch w.kind {
        case .v4, .v6:
            send(.shares(ha.workerShares), to: w)
        case .ops:
            guard let key = settings.haKey else { return }
            send(.peerSetup(PeerSetup(key: key, tableSynced: ha.tableSynced)), to: w)
        }
    }
}
