/// Renders a ``MetricsReport`` in the Prometheus text exposition format 0.0.4.
public enum PrometheusExposition {
    /// The `Content-Type` of the rendered text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ r: MetricsReport) -> String {
        var out = Output()
        packetMetrics(r.stats, &out)
        snapshotMetrics(r, &out)
        workerMetrics(r.workers, &out)
        if let e = r.stats.events { eventMetrics(e, &out) }
        if let c = r.stats.clickhouse { clickHouseMetrics(c, &out) }
        if !r.managementRequests.isEmpty {
            out.family("shadowdhcp_mgmt_requests_total", "counter", "Management requests, by command, role and result.")
            for (k, v) in r.managementRequests {
                out.sample("shadowdhcp_mgmt_requests_total", [("command", k.command), ("role", k.role), ("result", k.result)], v)
            }
        }
        if let peers = r.peers { haMetrics(peers, &out) }
        if let online = r.online { onlineMetrics(online, &out) }
        return out.text
    }

    /// docs/metrics.md, "Online reservations".
    private static func onlineMetrics(_ r: OnlineReport, _ out: inout Output) {
        let name = "shadowdhcp_online_reservations"
        out.family(name, "gauge", "Reservations served within their lease time: DHCPv4 per subnet, DHCPv6 in all.")
        for s in r.v4Subnets { out.sample(name, [("protocol", "v4"), ("subnet", s.subnet)], s.online) }
        out.sample(name, [("protocol", "v6"), ("subnet", "all")], r.v6Online)
        out.family("shadowdhcp_online_workers_missing", "gauge",
                   "DHCP workers whose last-served times the online counts lack (no answer within 2 s).")
        out.sample("shadowdhcp_online_workers_missing", [], r.missingWorkers.count)
    }

    /// docs/metrics.md, "High availability".
    private static func haMetrics(_ r: PeersReport, _ out: inout Output) {
        func perPeer<N: BinaryInteger>(_ name: String, _ type: String, _ help: String, _ value: (PeersReport.Peer) -> N) {
            out.family(name, type, help)
            for p in r.peers { out.sample(name, [("peer", p.name)], value(p)) }
        }
        perPeer("shadowdhcp_ha_peer_up", "gauge", "1 while the peer's authenticated heartbeats arrive.") {
            $0.state == .up ? 1 : 0
        }
        perPeer("shadowdhcp_ha_peer_snapshot_mismatch", "gauge",
                "1 when the peer has served another reservation snapshot digest for longer than 30 s.") {
            $0.snapshotMismatch ? 1 : 0
        }
        perPeer("shadowdhcp_ha_bindings_sent_total", "counter", "Bindings sent to the peer.") { $0.bindingsSent }
        perPeer("shadowdhcp_ha_bindings_received_total", "counter", "Bindings received from the peer (updates and table pulls).") {
            $0.bindingsReceived
        }
        perPeer("shadowdhcp_ha_queue_dropped_total", "counter", "Bindings for the peer dropped because its queue was full.") {
            $0.queueDropped
        }
        out.family("shadowdhcp_ha_connections_refused_total", "counter", "Peer connections closed by this server, by reason.")
        for c in r.connectionsRefused { out.sample("shadowdhcp_ha_connections_refused_total", [("reason", c.name)], c.value) }
        out.family("shadowdhcp_ha_answering", "gauge", "1 for each server whose share this server answers now.")
        for name in r.serverNames {
            out.sample("shadowdhcp_ha_answering", [("server", name)], r.answering.contains(name) ? 1 : 0)
        }
    }

    private static func packetMetrics(_ s: StatsReport, _ out: inout Output) {
        let protos = [("v4", s.v4), ("v6", s.v6)]
        out.family("shadowdhcp_received_total", "counter", "Datagrams received by the worker.")
        for (p, st) in protos { out.sample("shadowdhcp_received_total", [("protocol", p)], st.received) }
        out.family("shadowdhcp_replies_total", "counter", "Replies sent, by message type.")
        for (p, st) in protos {
            for c in st.replies { out.sample("shadowdhcp_replies_total", [("protocol", p), ("type", c.name)], c.value) }
        }
        out.family("shadowdhcp_drops_total", "counter", "Datagrams not answered, by reason.")
        for (p, st) in protos {
            for c in st.drops { out.sample("shadowdhcp_drops_total", [("protocol", p), ("reason", c.name)], c.value) }
        }
        leasequeryMetrics(protos, &out)
        out.family("shadowdhcp_worker_events_dropped_total", "counter", "Events a worker could not hand to the master.")
        for (p, st) in protos { out.sample("shadowdhcp_worker_events_dropped_total", [("protocol", p)], st.eventsDropped) }
        out.family("shadowdhcp_options_omitted_total", "counter",
                   "Configured options left out of replies because they did not fit the client's maximum message size.")
        for (p, st) in protos { out.sample("shadowdhcp_options_omitted_total", [("protocol", p)], st.optionsOmitted) }
    }

    /// docs/leasequery.md: queries by transport, query type and result; bulk connections by event.
    /// The families appear once a worker counted one.
    private static func leasequeryMetrics(_ protos: [(String, ProtocolStats)], _ out: inout Output) {
        var queries: [(String, [(String, String)], UInt64)] = []
        var connections: [(String, [(String, String)], UInt64)] = []
        for (p, st) in protos {
            for c in st.leasequery {
                let parts = c.name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                if parts.count == 2, parts[0] == "connections" {
                    connections.append(("shadowdhcp_leasequery_connections_total", [("protocol", p), ("event", parts[1])], c.value))
                } else if parts.count == 3 {
                    queries.append(("shadowdhcp_leasequery_total",
                                    [("protocol", p), ("transport", parts[0]), ("query", parts[1]), ("result", parts[2])], c.value))
                }
            }
        }
        if !queries.isEmpty {
            out.family("shadowdhcp_leasequery_total", "counter", "Leasequeries answered (or refused), by transport, query type and result.")
            for q in queries { out.sample(q.0, q.1, q.2) }
        }
        if !connections.isEmpty {
            out.family("shadowdhcp_leasequery_connections_total", "counter", "Bulk leasequery TCP connections, by event.")
            for c in connections { out.sample(c.0, c.1, c.2) }
        }
    }

    private static func snapshotMetrics(_ r: MetricsReport, _ out: inout Output) {
        out.gauge("shadowdhcp_reservations", "Reservations in the live snapshot.", r.status.reservationCount)
        out.gauge("shadowdhcp_reservation_keys", "Index entries (keys) of the live snapshot.", r.status.keyCount)
        out.gauge("shadowdhcp_snapshot_generation", "Generation of the live snapshot.", r.status.snapshotGeneration)
        out.family("shadowdhcp_snapshot_age_seconds", "gauge", "Seconds since the live snapshot was loaded.")
        out.sample("shadowdhcp_snapshot_age_seconds", [], max(0, r.now - r.status.snapshotLoadedAt))
        out.family("shadowdhcp_reload_failures_total", "counter",
                   "Reloads of reservations.json that failed; the previous snapshot stayed live.")
        out.sample("shadowdhcp_reload_failures_total", [], r.status.reloadFailures)
        out.gauge("shadowdhcp_bindings", "MAC to Option 82 bindings held.", r.bindingCount)
    }

    private static func workerMetrics(_ workers: [WorkerReport], _ out: inout Output) {
        out.family("shadowdhcp_worker_restarts_total", "counter", "Worker restarts since the master started.")
        for w in workers { out.sample("shadowdhcp_worker_restarts_total", [("protocol", w.proto)], w.restarts) }
        out.family("shadowdhcp_worker_ready", "gauge", "1 when the worker is running and passed its audit.")
        for w in workers { out.sample("shadowdhcp_worker_ready", [("protocol", w.proto)], w.ready ? 1 : 0) }
    }

    private static func eventMetrics(_ e: EventWriter.Counters, _ out: inout Output) {
        out.family("shadowdhcp_events_submitted_total", "counter", "Events handed to the event writer.")
        out.sample("shadowdhcp_events_submitted_total", [], e.submitted)
        out.family("shadowdhcp_events_sent_total", "counter", "Events written to the collector.")
        out.sample("shadowdhcp_events_sent_total", [], e.sent)
        out.family("shadowdhcp_events_dropped_total", "counter", "Events dropped, by reason.")
        out.sample("shadowdhcp_events_dropped_total", [("reason", "queue_full")], e.droppedQueueFull)
        out.sample("shadowdhcp_events_dropped_total", [("reason", "undelivered")], e.droppedUndelivered)
        out.gauge("shadowdhcp_events_queued", "Events waiting in the writer's queue.", e.queued)
        out.gauge("shadowdhcp_events_connected", "1 while connected to the collector.", e.connected ? 1 : 0)
    }

    /// docs/metrics.md, "Events": the ClickHouse writer (`events.clickhouse`), beside the TCP one.
    private static func clickHouseMetrics(_ c: EventWriter.Counters, _ out: inout Output) {
        out.family("shadowdhcp_clickhouse_events_submitted_total", "counter", "Events handed to the ClickHouse writer.")
        out.sample("shadowdhcp_clickhouse_events_submitted_total", [], c.submitted)
        out.family("shadowdhcp_clickhouse_rows_sent_total", "counter", "Rows ClickHouse stored (2xx answers).")
        out.sample("shadowdhcp_clickhouse_rows_sent_total", [], c.sent)
        out.family("shadowdhcp_clickhouse_events_dropped_total", "counter", "Events the ClickHouse writer dropped, by reason.")
        out.sample("shadowdhcp_clickhouse_events_dropped_total", [("reason", "queue_full")], c.droppedQueueFull)
        out.sample("shadowdhcp_clickhouse_events_dropped_total", [("reason", "undelivered")], c.droppedUndelivered)
        out.sample("shadowdhcp_clickhouse_events_dropped_total", [("reason", "rejected")], c.droppedRejected)
        out.gauge("shadowdhcp_clickhouse_events_queued", "Events waiting in the ClickHouse writer's queue.", c.queued)
        out.gauge("shadowdhcp_clickhouse_up", "1 when the last insert got an HTTP answer from ClickHouse.", c.connected ? 1 : 0)
    }

    /// Text being built.
    struct Output {
        var text = ""

        mutating func family(_ name: String, _ type: String, _ help: String) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }

        mutating func gauge<N: BinaryInteger>(_ name: String, _ help: String, _ value: N) {
            family(name, "gauge", help)
            sample(name, [], value)
        }

        mutating func sample<N: BinaryInteger>(_ name: String, _ labels: [(String, String)], _ value: N) {
            text += name + Output.labelText(labels) + " \(value)\n"
        }

        mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
            text += name + Output.labelText(labels) + " \(value)\n"
        }

        static func labelText(_ labels: [(String, String)]) -> String {
            guard !labels.isEmpty else { return "" }
            return "{" + labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
        }

        /// Label values escape `\`, `"` and newline.
        static func escape(_ s: String) -> String {
            var out = ""
            for c in s {
                switch c {
                case "\\": out += "\\\\"
                case "\"": out += "\\\""
                case "\n": out += "\\n"
                default: out.append(c)
                }
            }
            return out
        }
    }
}
