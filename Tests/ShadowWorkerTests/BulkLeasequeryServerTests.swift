import ShadowCore
import ShadowSystem
import ShadowTesting
import SystemPackage
import Testing
@testable import ShadowWorker

/// The protocol-neutral bulk leasequery TCP machinery (docs/leasequery.md), over a real loopback
/// listener and a stand-in handler: framing, the reply queue's bound with a reader that does not
/// read, limits, and closing only the offending connection.
@Suite("Bulk leasequery server")
struct BulkLeasequeryServerTests {
    /// `count` replies of `size` bytes each, numbered in their first two bytes.
    final class Numbered: BulkReplyStream {
        let count: Int, size: Int
        var sent = 0
        init(count: Int, size: Int) { self.count = count; self.size = size }
        func next(_ emit: (UnsafeRawBufferPointer) -> Void) -> Bool {
            var m = [UInt8](repeating: 0x5A, count: size)
            m[0] = UInt8(sent >> 8); m[1] = UInt8(sent & 0xFF)
            m.withUnsafeBytes(emit)
            sent += 1
            return sent < count
        }
    }

    final class Harness {
        let listener: FileDescriptor
        let address: SocketAddress
        let server: BulkLeasequeryServer
        var events: [BulkConnectionEvent] = []
        var queries: [[UInt8]] = []
        var streams: [Numbered] = []
        var replies = (count: 3, size: 100)

        init(limits: BulkLimits, allows: @escaping (SocketAddress) -> Bool = { _ in true }) throws {
            listener = try StreamListener.bindTCP(.v4(IPv4Address(127, 0, 0, 1), port: 0))
            try listener.setNonBlocking(true)
            address = try UDPSocket.localAddress(of: listener)
            server = BulkLeasequeryServer(listener: listener, limits: limits, allows: allows)
        }

        deinit { try? listener.close() }

        /// Polls and serves for `milliseconds`.
        func run(_ milliseconds: Int32 = 200) throws {
            let deadline = Deadline(after: .milliseconds(Int(milliseconds)))
            while !deadline.hasPassed {
                var poll = PollSet(server.pollItems)
                try poll.wait(timeoutMilliseconds: 10)
                server.service((0..<poll.count).map { poll.events(at: $0) }, now: Clocks.monotonicMilliseconds(),
                               answer: { query, _ in
                                   self.queries.append(Array(query))
                                   if query.first == 0xFF { return nil }
                                   let s = Numbered(count: self.replies.count, size: self.replies.size)
                                   self.streams.append(s)
                                   return s
                               }, count: { self.events.append($0) })
            }
        }
    }

    static let limits = BulkLimits(maxConnections: 2, maxMessageBytes: 64, idleTimeoutMilliseconds: 60_000,
                                   lifetimeMilliseconds: 60_000, queueBytes: 4096)

    @Test func framesInAndOutOneQueryAfterTheOther() throws {
        let h = try Harness(limits: Self.limits)
        let c = try FramedTCPClient(connectingTo: h.address)
        try c.send(raw: [0, 3, 1, 2, 3, 0, 2, 9])   // two queries, the second split across writes
        try h.run(100)
        try c.send(raw: [9])
        try h.run(200)
        #expect(h.queries == [[1, 2, 3], [9, 9]])
        var got: [[UInt8]] = []
        while let m = try c.receive(timeout: .milliseconds(200)) { got.append(m) }
        #expect(got.count == 6 && got.allSatisfy { $0.count == 100 })
        #expect(got.map { Int($0[0]) << 8 | Int($0[1]) } == [0, 1, 2, 0, 1, 2])
        #expect(h.events == [.accepted])
    }

    @Test func aReaderThatDoesNotReadHoldsOnlyABoundedQueue() throws {
        let h = try Harness(limits: Self.limits)
        h.replies = (count: 1_000_000, size: 1000)
        let c = try FramedTCPClient(connectingTo: h.address)
        try c.send(message: [1])
        try h.run(300)
        // The kernel's buffers fill, then the server stops asking the stream for more: far fewer
        // than the million replies were ever encoded.
        let produced = try #require(h.streams.first).sent
        #expect(produced < 20_000, "\(produced) replies encoded for a reader that reads nothing")
        try h.run(100)
        #expect(try #require(h.streams.first).sent == produced)
        // Reading resumes the stream.
        _ = try c.receive(timeout: .milliseconds(100))
        for _ in 0..<2000 { _ = try c.receive(timeout: .milliseconds(1)) }
        try h.run(100)
        #expect(try #require(h.streams.first).sent > produced)
    }

    @Test func oversizedMalformedAndExtraConnectionsCloseOnlyThemselves() throws {
        let h = try Harness(limits: Self.limits)
        let good = try FramedTCPClient(connectingTo: h.address)
        let oversized = try FramedTCPClient(connectingTo: h.address)
        try h.run(50)
        try oversized.send(raw: [0, 65])          // 65 > 64
        try h.run(100)
        #expect(try oversized.closesWithin(.milliseconds(500)))
        let undecodable = try FramedTCPClient(connectingTo: h.address)
        try h.run(50)
        try undecodable.send(message: [0xFF])     // the handler cannot decode it
        try h.run(100)
        #expect(try undecodable.closesWithin(.milliseconds(500)))
        let second = try FramedTCPClient(connectingTo: h.address)
        try h.run(50)
        let third = try FramedTCPClient(connectingTo: h.address)  // past maxConnections (2)
        try h.run(100)
        #expect(try third.closesWithin(.milliseconds(500)))
        #expect(!second.isClosed)
        try good.send(message: [7])
        try h.run(100)
        #expect(try good.receive(timeout: .milliseconds(500))?.count == 100)
        #expect(h.events.filter { $0 != .accepted }.sorted { $0.rawValue < $1.rawValue } == [.malformed, .oversized, .tooMany])
    }

    @Test func notAllowedAndIdleConnectionsAreClosed() throws {
        let refusing = try Harness(limits: Self.limits, allows: { _ in false })
        let c = try FramedTCPClient(connectingTo: refusing.address)
        try refusing.run(100)
        #expect(try c.closesWithin(.milliseconds(500)))
        #expect(refusing.events == [.notAllowed])

        let idle = try Harness(limits: BulkLimits(maxConnections: 2, maxMessageBytes: 64, idleTimeoutMilliseconds: 100,
                                                  lifetimeMilliseconds: 60_000))
        let quiet = try FramedTCPClient(connectingTo: idle.address)
        try idle.run(300)
        #expect(try quiet.closesWithin(.milliseconds(500)))
        #expect(idle.events == [.accepted, .idleTimeout])
    }
}
