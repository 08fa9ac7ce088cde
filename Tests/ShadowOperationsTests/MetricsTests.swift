import NIOCore
import NIOPosix
import ShadowCore
import Testing
@testable import ShadowOperations

/// `/metrics`: the exposition text and the HTTP endpoint.
@Suite struct MetricsTests {
    static func report() async -> MetricsReport {
        let backend = FakeBackend()
        var stats = await backend.stats()
        var events = EventWriter.Counters()
        events.submitted = 12
        events.sent = 9
        events.queued = 1
        events.droppedQueueFull = 2
        events.droppedUndelivered = 0
        events.connected = true
        stats.events = events
        backend.state.withLock { $0.stats = stats }
        return await BackendMetricsSource(backend: backend, clock: { 1_030.5 }).metricsReport()
    }

    /// `name{labels}` → value, for every sample line; checks every line's syntax on the way.
    static func parse(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            #expect(parts.count == 2, "\(line)")
            if parts.count == 2, let v = Double(parts[1]) { samples[String(parts[0])] = v } else { Issue.record("bad line \(line)") }
        }
        return samples
    }

    @Test func exposition() async {
        let text = PrometheusExposition.render(await Self.report())
        let s = Self.parse(text)
        #expect(s[#"shadowdhcp_received_total{protocol="v4"}"#] == 10)
        #expect(s[#"shadowdhcp_replies_total{protocol="v4",type="Offer"}"#] == 4)
        #expect(s[#"shadowdhcp_drops_total{protocol="v6",reason="Discarded"}"#] == 3)
        #expect(s[#"shadowdhcp_worker_events_dropped_total{protocol="v4"}"#] == 1)
        #expect(s[#"shadowdhcp_options_omitted_total{protocol="v4"}"#] == 2)
        #expect(s[#"shadowdhcp_options_omitted_total{protocol="v6"}"#] == 0)
        #expect(s["shadowdhcp_reservations"] == 4)
        #expect(s["shadowdhcp_reservation_keys"] == 6)
        #expect(s["shadowdhcp_snapshot_generation"] == 1)
        #expect(s["shadowdhcp_snapshot_age_seconds"] == 30.5)
        #expect(s["shadowdhcp_bindings"] == 0)
        #expect(s["shadowdhcp_reload_failures_total"] == 2)
        #expect(s[#"shadowdhcp_worker_restarts_total{protocol="v4"}"#] == 1)
        #expect(s[#"shadowdhcp_worker_ready{protocol="v6"}"#] == 0)
        #expect(s[#"shadowdhcp_events_dropped_total{reason="queue_full"}"#] == 2)
        #expect(s["shadowdhcp_events_sent_total"] == 9)
        #expect(s["shadowdhcp_events_queued"] == 1)
        #expect(text.contains("# TYPE shadowdhcp_replies_total counter\n"))
        #expect(text.contains("# TYPE shadowdhcp_snapshot_age_seconds gauge\n"))
        #expect(text.contains("# TYPE shadowdhcp_reload_failures_total counter\n"))
    }

    @Test func leasequeryFamilies() async {
        var report = await Self.report()
        #expect(!PrometheusExposition.render(report).contains("shadowdhcp_leasequery"))
        report.stats.v4.leasequery = [NamedCount("connections.Accepted", 3), NamedCount("connections.TooMany", 1),
                                      NamedCount("tcp.RemoteID.Active", 2), NamedCount("udp.Address.Unassigned", 5)]
        let text = PrometheusExposition.render(report)
        let s = Self.parse(text)
        #expect(s[#"shadowdhcp_leasequery_total{protocol="v4",transport="udp",query="Address",result="Unassigned"}"#] == 5)
        #expect(s[#"shadowdhcp_leasequery_total{protocol="v4",transport="tcp",query="RemoteID",result="Active"}"#] == 2)
        #expect(s[#"shadowdhcp_leasequery_connections_total{protocol="v4",event="Accepted"}"#] == 3)
        #expect(s[#"shadowdhcp_leasequery_connections_total{protocol="v4",event="TooMany"}"#] == 1)
        #expect(text.contains("# TYPE shadowdhcp_leasequery_total counter\n"))
    }

    @Test func clickHouseWriterFamilies() async {
        var report = await Self.report()
        #expect(!PrometheusExposition.render(report).contains("shadowdhcp_clickhouse_"))
        var c = EventWriter.Counters()
        c.submitted = 20
        c.sent = 15
        c.queued = 1
        c.droppedQueueFull = 2
        c.droppedUndelivered = 1
        c.droppedRejected = 3
        c.connected = true
        report.stats.clickhouse = c
        let s = Self.parse(PrometheusExposition.render(report))
        #expect(s["shadowdhcp_clickhouse_events_submitted_total"] == 20)
        #expect(s["shadowdhcp_clickhouse_rows_sent_total"] == 15)
        #expect(s[#"shadowdhcp_clickhouse_events_dropped_total{reason="queue_full"}"#] == 2)
        #expect(s[#"shadowdhcp_clickhouse_events_dropped_total{reason="undelivered"}"#] == 1)
        #expect(s[#"shadowdhcp_clickhouse_events_dropped_total{reason="rejected"}"#] == 3)
        #expect(s["shadowdhcp_clickhouse_events_queued"] == 1)
        #expect(s["shadowdhcp_clickhouse_up"] == 1)
        #expect(s["shadowdhcp_events_sent_total"] == 9)  // the TCP writer's families unchanged beside it
    }

    @Test func labelValuesAreEscaped() {
        #expect(PrometheusExposition.Output.labelText([("a", "x\"y\\z\nw")]) == #"{a="x\"y\\z\nw"}"#)
    }

    @Test func servedOverHTTP() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = MetricsServer(address: ShadowCore.SocketAddress("127.0.0.1:0")!,
                                   source: BackendMetricsSource(backend: FakeBackend()), group: group,
                                   logger: Fixtures.logger)
        try await server.start()
        let port = server.localAddress!.port!
        let ok = try RawConnection(port: port)
        ok.send("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let response = await ok.readAll()
        let parts = response.components(separatedBy: "\r\n\r\n")
        #expect(parts[0].hasPrefix("HTTP/1.1 200 OK"))
        #expect(parts[0].contains("Content-Type: text/plain; version=0.0.4; charset=utf-8"))
        let samples = Self.parse(parts.count > 1 ? parts[1] : "")
        #expect(samples[#"shadowdhcp_received_total{protocol="v6"}"#] == 5)
        #expect(samples["shadowdhcp_reservations"] == 4)

        let missing = try RawConnection(port: port)
        missing.send("GET /other HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(await missing.readAll().hasPrefix("HTTP/1.1 404 Not Found"))
        let post = try RawConnection(port: port)
        post.send("POST /metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n")
        #expect(await post.readAll().hasPrefix("HTTP/1.1 405 Method Not Allowed"))
        await server.stop()
        try await group.shutdownGracefully()
    }

    @Test func connectionLimitAndReadTimeout() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var limits = MetricsServer.Limits()
        limits.maxConnections = 1
        limits.readTimeout = .milliseconds(300)
        let server = MetricsServer(address: ShadowCore.SocketAddress("127.0.0.1:0")!,
                                   source: BackendMetricsSource(backend: FakeBackend()), group: group,
                                   logger: Fixtures.logger, limits: limits)
        try await server.start()
        let port = server.localAddress!.port!
        // An idle scraper holds the one connection; a second is closed without an answer.
        let idle = try RawConnection(port: port)
        try await Task.sleep(for: .milliseconds(100))
        let second = try RawConnection(port: port)
        second.send("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(await second.readAll() == "")
        // The idle one is closed once its read deadline passes; then scrapes work again.
        #expect(await idle.readAll() == "")
        try await Task.sleep(for: .milliseconds(100))
        let ok = try RawConnection(port: port)
        ok.send("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(await ok.readAll().hasPrefix("HTTP/1.1 200 OK"))
        await server.stop()
        try await group.shutdownGracefully()
    }
}
