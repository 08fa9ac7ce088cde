import NIOCore
import NIOPosix
import ShadowCore
import Testing
@testable import ShadowOperations

/// The ClickHouse writer against a small HTTP server standing in for ClickHouse.
@Suite struct ClickHouseWriterTests {
    static func v4(_ i: Int) -> String {
        #"{"ip_version":"v4","timestamp_ms":\#(1_700_000_000_000 + i),"message_type":"Discover","relay_addr":"192.0.2.1","success":true}"#
    }

    static func v6(_ i: Int) -> String {
        #"{"ip_version":"v6","timestamp_ms":\#(1_700_000_000_000 + i),"message_type":"Solicit","relay_addr":"2001:db8::1","requested_ipv6_pd":null,"reservation_ipv6_pd":"2001:db8:1200::/56","success":false}"#
    }

    static func configuration(port: Int, queueSize: Int = 16384) throws -> ClickHouseWriter.Configuration {
        var c = ClickHouseWriter.Configuration(url: try ClickHouseURL(parsing: "http://127.0.0.1:\(port)"),
                                               user: "writer", password: "s3cret", database: "dhcp",
                                               hostName: "dhcp-test", queueSize: queueSize)
        c.batchDelay = .milliseconds(50)
        c.retryDelay = .milliseconds(50)
        c.maxRetryDelay = .milliseconds(200)
        c.retryJitter = .milliseconds(10)
        c.maxAttempts = 5
        return c
    }

    static func freePort(_ group: any EventLoopGroup) async throws -> Int {
        let stub = ClickHouseStub(group: group)
        let port = try await stub.start()
        await stub.stop()
        return port
    }

    @Test func insertsV4RowsThenV6RowsWithUpstreamsRequest() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let stub = ClickHouseStub(group: group)
        let port = try await stub.start()
        let writer = try ClickHouseWriter(configuration: Self.configuration(port: port), eventLoop: group.next(),
                                          logger: Fixtures.logger)
        writer.submit(Self.v6(0))
        writer.submit(Self.v4(1))
        writer.submit(#"{"event_type":"management","timestamp_ms":1,"command":"stats"}"#)
        writer.submit(Self.v4(2))
        #expect(await eventually { stub.requests.count == 2 })
        let r = stub.requests
        #expect(r.map(\.method) == [.POST, .POST])
        #expect(r[0].uri == "/?database=dhcp&input_format_skip_unknown_fields=1&query=INSERT%20INTO%20events_v4%20FORMAT%20JSONEachRow")
        #expect(r[1].uri.hasSuffix("query=INSERT%20INTO%20events_v6%20FORMAT%20JSONEachRow"))
        #expect(r[0].headers["Authorization"] == ["Basic d3JpdGVyOnMzY3JldA=="])
        #expect(r[0].headers["Content-Type"] == ["application/x-ndjson"])
        #expect(r[0].rows == [Self.v4(1), Self.v4(2)].map { ClickHouseRow.shape($0, hostName: "dhcp-test")!.row })
        #expect(r[0].rows.allSatisfy { $0.hasPrefix(#"{"host_name":"dhcp-test","#) })
        #expect(r[1].rows == [ClickHouseRow.shape(Self.v6(0), hostName: "dhcp-test")!.row])
        #expect(r[1].rows[0].contains(#""reservation_ipv6_pd_prefix":"2001:db8:1200::","reservation_ipv6_pd_length":56"#))
        #expect(writer.counters.sent == 3 && writer.counters.submitted == 4 && writer.counters.connected)
        await writer.shutdown(timeout: .seconds(2))
        await stub.stop()
        try await group.shutdownGracefully()
    }

    @Test func aFullBatchGoesAtOnceASmallOneAfterTheDelay() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let stub = ClickHouseStub(group: group)
        let port = try await stub.start()
        var c = try Self.configuration(port: port)
        c.batchSize = 10
        c.batchDelay = .milliseconds(1500)
        let writer = try ClickHouseWriter(configuration: c, eventLoop: group.next(), logger: Fixtures.logger)
        for i in 0..<25 { writer.submit(Self.v4(i)) }
        // Two full batches without waiting for the delay; the last 5 rows wait for it.
        #expect(await eventually(timeout: .seconds(1)) { stub.requests.count == 2 })
        #expect(stub.requests.map(\.rows.count) == [10, 10])
        try await Task.sleep(for: .milliseconds(500))
        #expect(stub.requests.count == 2)
        #expect(await eventually { stub.requests.count == 3 })
        #expect(stub.requests[2].rows.count == 5)
        #expect(writer.counters.sent == 25)
        await writer.shutdown(timeout: .seconds(2))
        await stub.stop()
        try await group.shutdownGracefully()
    }

    @Test func transientAnswersAreRetriedWithTheSameRows() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let stub = ClickHouseStub(group: group, script: [503, 429, 408, 200])
        let port = try await stub.start()
        let writer = try ClickHouseWriter(configuration: Self.configuration(port: port), eventLoop: group.next(),
                                          logger: Fixtures.logger)
        for i in 0..<3 { writer.submit(Self.v4(i)) }
        #expect(await eventually { writer.counters.sent == 3 })
        let r = stub.requests
        #expect(r.count == 4)
        #expect(Set(r.map(\.body)).count == 1)  // the same batch every time
        #expect(writer.counters.droppedUndelivered == 0 && writer.counters.droppedRejected == 0)
        await writer.shutdown(timeout: .seconds(2))
        await stub.stop()
        try await group.shutdownGracefully()
    }

    @Test func aPermanentAnswerDropsThatTablesRowsWithAWarning() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let stub = ClickHouseStub(group: group, script: [400])
        let port = try await stub.start()
        let (logger, log) = LogCapture.logger()
        let writer = try ClickHouseWriter(configuration: Self.configuration(port: port), eventLoop: group.next(),
                                          logger: logger)
        writer.submit(Self.v4(1))
        writer.submit(Self.v4(2))
        writer.submit(Self.v6(3))
        #expect(await eventually { writer.counters.sent == 1 })
        #expect(stub.requests.count == 2)  // v4 refused (not retried), v6 stored
        #expect(writer.counters.droppedRejected == 2)
        #expect(log.all.contains { $0.0 == .warning && $0.1 == "ClickHouse v4 dropped batch of 2 after permanent HTTP 400" })
        #expect(log.all.contains { $0.1 == "Starting ClickHouse writer -> http://127.0.0.1:\(port) (host_name=dhcp-test)" })
        await writer.shutdown(timeout: .seconds(2))
        await stub.stop()
        try await group.shutdownGracefully()
    }

    @Test func anAbsentServerIsRetriedUntilItComes() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let port = try await Self.freePort(group)
        var c = try Self.configuration(port: port)
        c.maxAttempts = 100
        let writer = try ClickHouseWriter(configuration: c, eventLoop: group.next(), logger: Fixtures.logger)
        writer.submit(Self.v4(1))
        writer.submit(Self.v6(2))
        try await Task.sleep(for: .milliseconds(400))
        #expect(writer.counters.sent == 0 && !writer.counters.connected)
        let stub = ClickHouseStub(group: group)
        try await stub.start(port: port)
        #expect(await eventually { writer.counters.sent == 2 })
        #expect(stub.requests.map { $0.uri.hasSuffix("events_v4%20FORMAT%20JSONEachRow") } == [true, false])
        await writer.shutdown(timeout: .seconds(2))
        await stub.stop()
        try await group.shutdownGracefully()
    }

    @Test func exhaustedRetriesDropTheBatchAndAFullQueueDropsAndWarns() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let stub = ClickHouseStub(group: group, script: Array(repeating: 500, count: 3))
        let port = try await stub.start()
        var c = try Self.configuration(port: port, queueSize: 10)
        c.maxAttempts = 3
        c.dropReportInterval = .zero
        let (logger, log) = LogCapture.logger()
        let writer = try ClickHouseWriter(configuration: c, eventLoop: group.next(), logger: logger)
        var accepted = 0
        for i in 0..<100 where writer.submit(Self.v4(i)) { accepted += 1 }
        #expect(writer.counters.droppedQueueFull == UInt64(100 - accepted))
        #expect(await eventually {
            log.all.contains { $0.1 == "ClickHouse writer dropped batch of \(accepted) after exhausted retries" }
        })
        #expect(log.all.contains { $0.0 == .warning && $0.1 == "Dropped \(100 - accepted) DHCP events at ClickHouse sender (channel full)" })
        #expect(writer.counters.droppedUndelivered == UInt64(accepted))
        // The next batch goes through (the script is used up).
        writer.submit(Self.v4(200))
        #expect(await eventually { writer.counters.sent == 1 })
        await writer.shutdown(timeout: .seconds(2))
        await stub.stop()
        try await group.shutdownGracefully()
    }

    @Test func shutdownSendsWhatIsQueued() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let stub = ClickHouseStub(group: group)
        let port = try await stub.start()
        var c = try Self.configuration(port: port)
        c.batchDelay = .seconds(30)
        let writer = try ClickHouseWriter(configuration: c, eventLoop: group.next(), logger: Fixtures.logger)
        writer.submit(Self.v4(1))
        writer.submit(Self.v6(2))
        await writer.shutdown(timeout: .seconds(2))
        #expect(stub.requests.count == 2)
        #expect(writer.counters.sent == 2 && writer.counters.droppedUndelivered == 0)
        #expect(!writer.submit(Self.v4(3)))
        await stub.stop()
        try await group.shutdownGracefully()
    }

    @Test func anUnansweredInsertTimesOutAndIsRetried() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let stub = ClickHouseStub(group: group, script: [0, 200])
        let port = try await stub.start()
        var c = try Self.configuration(port: port)
        c.requestTimeout = .milliseconds(300)
        let writer = try ClickHouseWriter(configuration: c, eventLoop: group.next(), logger: Fixtures.logger)
        writer.submit(Self.v4(1))
        #expect(await eventually { writer.counters.sent == 1 })
        #expect(stub.requests.count == 2)
        await writer.shutdown(timeout: .seconds(2))
        await stub.stop()
        try await group.shutdownGracefully()
    }

    @Test func shutdownGivesUpAtItsDeadline() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let stub = ClickHouseStub(group: group, script: [0])
        let port = try await stub.start()
        var c = try Self.configuration(port: port)
        c.batchDelay = .seconds(30)
        let writer = try ClickHouseWriter(configuration: c, eventLoop: group.next(), logger: Fixtures.logger)
        writer.submit(Self.v4(1))
        writer.submit(Self.v4(2))
        let clock = ContinuousClock()
        let start = clock.now
        await writer.shutdown(timeout: .milliseconds(300))
        #expect(clock.now - start < .seconds(2))
        #expect(writer.counters.sent == 0 && writer.counters.droppedUndelivered == 2)
        await stub.stop()
        try await group.shutdownGracefully()
    }

    @Test func httpsNeedsTrustRoots() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        var c = try Self.configuration(port: 8443)
        c.url = try ClickHouseURL(parsing: "https://localhost")
        #expect(throws: ClickHousePostError.self) {
            _ = try ClickHouseWriter(configuration: c, eventLoop: group.next(), logger: Fixtures.logger)
        }
        c.trustRoots = try SystemTrustRoots.load()
        _ = try ClickHouseWriter(configuration: c, eventLoop: group.next(), logger: Fixtures.logger)
    }
}
