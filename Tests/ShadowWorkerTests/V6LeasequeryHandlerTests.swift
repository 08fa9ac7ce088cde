import DHCPWireKit
import DHCPv6
import Logging
import ShadowCore
import Testing
@testable import ShadowWorker

/// The v6 handler with `leasequery` enabled: a served Reply is recorded, a LEASEQUERY is answered
/// instead of dropped and counted, a bulk frame streams the clients behind a remote-id.
@Suite("worker: v6 leasequery handling")
struct V6LeasequeryHandlerTests {
    static let ids = LastServedRecordingTests.ids
    static let config: ServerConfig = {
        var c = LastServedRecordingTests.config
        c.leasequery = LeasequerySettings(allowed: [.v6(IPv6Prefix("::1/128")!)], bulk: true)
        return c
    }()
    static let handler = V6PacketHandler(config: config, ids: ids)
    static let snapshot = LastServedRecordingTests.snapshot
    static let relay = ShadowCore.SocketAddress.v6(IPv6Address("::1")!, port: 547)
    static let remoteID = DHCPv6Packet.remoteID(enterprise: 4874, "olt-7")

    final class World {
        let table = LastServedTable(count: V6LeasequeryHandlerTests.snapshot.count)
        var sink = WorkerSink(for: V6PacketHandler.self, logger: Logger(label: "test"), eventsEnabled: true)

        init() {
            sink.lastServed = table.times
            sink.servedAt = 1_765_000_000
            sink.leasequeryV6 = V6LeasequeryState(snapshot: V6LeasequeryHandlerTests.snapshot)
        }

        func handle(_ datagram: [UInt8], from: ShadowCore.SocketAddress = V6LeasequeryHandlerTests.relay) -> [UInt8]? {
            var reply = [UInt8](repeating: 0, count: 1500)
            let answer = datagram.withUnsafeBytes { d in
                reply.withUnsafeMutableBytes { buffer in
                    V6LeasequeryHandlerTests.handler.handle(d, from: from, snapshot: V6LeasequeryHandlerTests.snapshot,
                                                            bindings: BindingTable(), shares: .standalone, reply: buffer,
                                                            sink: &sink)
                }
            }
            return answer.map { Array(reply[..<$0.length]) }
        }
    }

    static func request() -> [UInt8] {
        let options = [DHCPv6Packet.clientID(LastServedRecordingTests.duid), DHCPv6Packet.serverID(LastServedRecordingTests.serverDUID),
                       DHCPv6Packet.iaNA(1), DHCPv6Packet.iaPD(2)]
        return DHCPv6Packet.relay(DHCPv6Packet.client(type: 3, xid: 0x1234, options), link: "2001:db8::1", peer: "fe80::1",
                                  extra: [remoteID])
    }

    static func query(_ type: UInt8, _ option: [UInt8]) -> [UInt8] {
        DHCPv6Packet.client(type: 14, xid: 0x4242, [DHCPv6Packet.clientID("00:03:00:01:02:00:5e:00:99:01"),
                                                    DHCPv6Packet.option(44, [type] + IPv6Address.any.bytes + option)])
    }

    /// The top-level option codes of a client/server-format message.
    static func codes(_ m: [UInt8]) -> [UInt16] {
        var out: [UInt16] = [], i = 4
        while i + 4 <= m.count {
            out.append(UInt16(m[i]) << 8 | UInt16(m[i + 1]))
            i += 4 + (Int(m[i + 2]) << 8 | Int(m[i + 3]))
        }
        return out
    }

    @Test func aDirectLeasequeryIsAnsweredCountedAndReportedInsteadOfDropped() throws {
        let w = World()
        #expect(w.handle(Self.request()) != nil)
        let reply = try #require(w.handle(Self.query(1, DHCPv6Packet.iaAddress("2001:db8:1::10")),
                                          from: .v6(IPv6Address("::1")!, port: 40_000)))
        #expect(reply.first == 15)
        #expect(Self.codes(reply) == [1, 2, 45, 47])
        #expect(w.sink.counters["leasequery.udp.Address.Data"] == 1)
        #expect(w.sink.counters["drop.ParseError"] == 0)
        let events = String(decoding: w.sink.events, as: UTF8.self).split(separator: "\n")
        #expect(events.last?.contains(#""event_type":"leasequery""#) == true)
        #expect(events.last?.contains(#""result":"Data""#) == true)
    }

    @Test func withoutLeasequeryTheQueryIsDroppedAsBefore() {
        let w = World()
        w.sink.leasequeryV6 = nil
        #expect(w.handle(Self.query(1, DHCPv6Packet.iaAddress("2001:db8:1::10"))) == nil)
        #expect(w.sink.counters["drop.ParseError"] == 1)
    }

    @Test func aBulkFrameStreamsTheServedClientsBehindTheRemoteId() {
        let w = World()
        #expect(w.handle(Self.request()) != nil)
        var frames: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let disposition = Self.query(5, Self.remoteID).withUnsafeBytes { q in
            buffer.withUnsafeMutableBytes { b in
                Self.handler.answerBulk(q, from: IPv6Address("::1")!, port: 40_001, snapshot: Self.snapshot, buffer: b,
                                        sink: &w.sink) { frames.append(Array($0)) }
            }
        }
        #expect(disposition == .keepOpen)
        #expect(frames.map(\.first) == [15, 16])
        #expect(w.sink.counters["leasequery.tcp.RemoteID.Data"] == 1)
    }
}
