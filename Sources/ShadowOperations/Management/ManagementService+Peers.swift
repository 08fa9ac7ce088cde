import ShadowCore

extension ManagementService {
    /// What `peers` says without `ha`.
    static let noHA = "High availability is not configured: config.json has no `ha` (docs/high-availability.md)"

    /// `peers`: this server's name, mode and the shares it answers, then each peer
    /// (docs/management.md, "peers").
    static func peersResponse(_ report: PeersReport?) -> ManagementResponse {
        guard let r = report else { return .failure(noHA) }
        let up = r.peers.filter { $0.state == .up }.count
        return .ok("\(r.peers.count) peer\(r.peers.count == 1 ? "" : "s"), \(up) up", [
            .string("this_server", r.thisServer),
            .string("mode", r.mode.rawValue),
            .strings("answering", r.answering),
            .build("table_synced") { $0.bool(r.tableSynced) },
            .build("peers") { w in
                w.beginArray()
                for p in r.peers { write(p, to: &w) }
                w.endArray()
            },
        ])
    }

    static func write(_ p: PeersReport.Peer, to w: inout JSONWriter) {
        w.beginObject()
        w.field("name", p.name)
        w.field("address", p.address)
        w.field("state", p.state.rawValue)
        w.field("last_heartbeat_ms_ago", p.lastHeartbeatMillisecondsAgo)
        w.field("snapshot_generation", p.snapshotGeneration)
        w.key("snapshot_digest_match")
        if let m = p.snapshotDigestMatch { w.bool(m) } else { w.null() }
        w.field("bindings_sent", p.bindingsSent)
        w.field("bindings_received", p.bindingsReceived)
        w.field("queue_dropped", p.queueDropped)
        w.field("queued", p.queued)
        w.endObject()
    }
}
