import Foundation
import NIOCore
import NIOPosix
import ShadowCore
import Testing
@testable import ShadowOperations

/// The analytics event writer against a collector on 127.0.0.1.
@Suite struct EventWriterTests {
    static func event(_ i: Int) -> String {
        #"{"ip_version":"v4","timestamp_ms":\#(1_700_000_000_000 + i),"message_type":"Discover","relay_addr":"192.0.2.1","success":true,"failure_reason":null}"#
    }

    /// Fast timings for tests.
    static func configuration(port: Int, queueSize: Int = 16384) -> EventWriter.Configuration {
        var c = EventWriter.Configuration(address: ShadowCore.SocketAddress("127.0.0.1:\(port)")!, queueSize: queueSize)
        c.batchDelay = .milliseconds(50)
        c.retryDelay = .milliseconds(50)
        c.retryJitter = .milliseconds(10)
        c.maxAttempts = 3
        c.connectTimeout = .seconds(5)
        c.writeTimeout = .seconds(5) // a write timeout makes the batch go again (at-least-once): keep it out of the way
        return c
    }

    /// A port nothing listens on (bound once, then released).
    static func freePort(_ group: any EventLoopGroup) async throws -> Int {
        let c = LineCollector(group: group)
        let port = try await c.start()
        await c.stop()
        return port
    }

    @Test func deliversExactLinesInOrder() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let collector = LineCollector(group: group)
        let port = try await collector.start()
        let writer = EventWriter(configuration: Self.configuration(port: port), eventLoop: group.next(), logger: Fixtures.logger)
        let events = (0..<600).map(Self.event)
        for e in events { #expect(writer.submit(e)) }
        #expect(writer.submit(Self.event(600) + "\n")) // a trailing newline is not doubled
        #expect(await eventually { collector.lines.count == 601 })
        #expect(collector.lines == events + [Self.event(600)])
        #expect(writer.counters.sent == 601)
        #expect(writer.counters.connected)
        await writer.shutdown(timeout: .seconds(2))
        #expect(!writer.counters.connected)
        await collector.stop()
        try await group.shutdownGracefully()
    }

    @Test func aSmallBatchWaitsForTheBatchDelay() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let collector = LineCollector(group: group)
        let port = try await collector.start()
        var config = Self.configuration(port: port)
        config.batchDelay = .milliseconds(400)
        let writer = EventWriter(configuration: config, eventLoop: group.next(), logger: Fixtures.logger)
        writer.submit(Self.event(1))
        try await Task.sleep(for: .milliseconds(150))
        #expect(collector.lines.isEmpty)
        #expect(await eventually { collector.lines == [Self.event(1)] })
        await writer.shutdown()
        await collector.stop()
        try await group.shutdownGracefully()
    }

    @Test func absentConsumerDropsAndCountsThenDeliveryResumes() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let port = try await Self.freePort(group)
        let writer = EventWriter(configuration: Self.configuration(port: port, queueSize: 100), eventLoop: group.next(),
                                 logger: Fixtures.logger)
        // Nobody listens: submit never waits, the queue fills, the rest is dropped and counted.
        let clock = ContinuousClock()
        let start = clock.now
        var accepted = 0
        for i in 0..<10_000 where writer.submit(Self.event(i)) { accepted += 1 }
        #expect(clock.now - start < .seconds(2))
        #expect(accepted <= 100 + 256)
        #expect(writer.counters.droppedQueueFull == UInt64(10_000 - accepted))
        // The batch in flight is given up after its attempts.
        #expect(await eventually { writer.counters.droppedUndelivered > 0 })
        #expect(writer.counters.sent == 0)
        // The consumer comes back on the same port: new events arrive.
        let collector = LineCollector(group: group)
        try await collector.start(port: port)
        #expect(await eventually { writer.counters.queued == 0 })
        writer.submit("after")
        #expect(await eventually { collector.lines.last == "after" })
        #expect(writer.counters.sent > 0)
        await writer.shutdown()
        await collector.stop()
        try await group.shutdownGracefully()
    }

    @Test func dropsAndGivenUpBatchesAreLogged() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let port = try await Self.freePort(group)
        let (logger, log) = LogCapture.logger()
        var config = Self.configuration(port: port, queueSize: 10)
        config.batchSize = 5
        config.dropReportInterval = .zero
        let writer = EventWriter(configuration: config, eventLoop: group.next(), logger: logger)
        for i in 0..<100 { writer.submit(Self.event(i)) }
        #expect(await eventually { log.all.contains { $0.1 == "TCP writer dropped batch of 5 after exhausted retries" } })
        let dropped = log.all.compactMap { entry -> UInt64? in
            guard entry.0 == .warning, entry.1.hasPrefix("Dropped "), entry.1.hasSuffix(" DHCP events at sender (channel full)")
            else { return nil }
            return UInt64(entry.1.split(separator: " ")[1])
        }
        await writer.shutdown(timeout: .milliseconds(200))
        #expect(dropped.reduce(0, +) == writer.counters.droppedQueueFull)
        #expect(log.all.first?.1 == "Starting analytics writer sending to 127.0.0.1:\(port)")
        try await group.shutdownGracefully()
    }

    @Test func consumerGoingAwayAndComingBack() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let collector = LineCollector(group: group)
        let port = try await collector.start()
        var config = Self.configuration(port: port)
        config.maxAttempts = 100
        let writer = EventWriter(configuration: config, eventLoop: group.next(), logger: Fixtures.logger)
        writer.submit("one")
        #expect(await eventually { collector.lines == ["one"] })
        await collector.stop()
        #expect(await eventually { !writer.counters.connected })
        writer.submit("two")
        try await Task.sleep(for: .milliseconds(200)) // a few failed attempts
        let back = LineCollector(group: group)
        try await back.start(port: port)
        #expect(await eventually { back.lines == ["two"] })
        #expect(writer.counters.droppedUndelivered == 0)
        await writer.shutdown()
        await back.stop()
        try await group.shutdownGracefully()
    }

    @Test func shutdownDrainsTheQueue() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let collector = LineCollector(group: group)
        let port = try await collector.start()
        var config = Self.configuration(port: port)
        config.batchDelay = .seconds(60) // only the drain sends
        let writer = EventWriter(configuration: config, eventLoop: group.next(), logger: Fixtures.logger)
        for i in 0..<100 { writer.submit(Self.event(i)) }
        await writer.shutdown(timeout: .seconds(5))
        #expect(writer.counters.sent == 100)
        #expect(!writer.submit("late"))
        #expect(await eventually { collector.lines.count == 100 })
        await collector.stop()
        try await group.shutdownGracefully()
    }

    @Test func shutdownWithoutAConsumerIsBounded() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let port = try await Self.freePort(group)
        var config = Self.configuration(port: port)
        config.maxAttempts = 100
        let writer = EventWriter(configuration: config, eventLoop: group.next(), logger: Fixtures.logger)
        for i in 0..<10 { writer.submit(Self.event(i)) }
        try await Task.sleep(for: .milliseconds(100))
        let clock = ContinuousClock()
        let start = clock.now
        await writer.shutdown(timeout: .milliseconds(500))
        #expect(clock.now - start < .seconds(2))
        #expect(writer.counters.droppedUndelivered == 10)
        try await group.shutdownGracefully()
    }
}
