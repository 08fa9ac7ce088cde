import DHCPWireKit
import Foundation
import Testing
import ShadowCore
@testable import DHCPv6

extension TableSource: LeasequeryBulkSource {
    func activeBindings(_ selector: LeasequeryBulkSelector) -> [LeasequeryBinding] {
        active.values.filter { b in b.relay.map { r in r.message.withUnsafeBytes { selector.matches($0) } } ?? false }
            .sorted { $0.address < $1.address }
    }
}

/// RFC 5460 bulk leasequery messages, as one TCP connection's responder emits them.
@Suite struct LeasequeryBulkTests {
    static let serverID = DUID("00:03:00:01:02:00:5e:00:00:01")!.bytes
    static let relayID = [UInt8]([0, 3, 0, 1, 2, 0, 0x5e, 0, 0, 0x42])

    /// A client at 2001:db8:1::`n` behind remote-id `remote` on link `link`.
    static func client(_ n: Int, remote: String, link: String = "2001:db8:a::1") -> (Reservation, LeasequeryBinding) {
        let address = IPv6Address("2001:db8:1::\(n)")!
        let prefix = IPv6Prefix("2001:db8:\(n)00::/56")!
        let chain = Packet.relay([], link: link, peer: "fe80::\(n)",
                                 extra: [Packet.option(53, relayID), Packet.remoteID(enterprise: 4874, remote)]).dropLast(4)
        let duid = DUID("00:03:00:01:00:00:00:00:00:\(String(format: "%02x", n))")!
        return (Reservation(ipv4: IPv4Address("198.51.100.\(n)")!, ipv6NA: address, ipv6PD: prefix, duid: duid),
                LeasequeryBinding(index: n, clientID: duid.bytes, address: address, prefix: prefix, preferredLifetime: 10,
                                  validLifetime: 20, cltTime: 5,
                                  relay: LeasequeryRelayData(peerAddress: IPv6Address("2001:db8:ffff::1")!, message: Array(chain))))
    }

    static var source: TableSource {
        let clients = [client(30, remote: "olt-1"), client(10, remote: "olt-1"), client(20, remote: "olt-2", link: "2001:db8:b::1"),
                       client(5, remote: "olt-1")]
        var s = TableSource(reservations: [])
        for (i, (r, b)) in clients.enumerated() {
            s.reservations.append(r)
            var b = b
            b.index = i
            if i != 3 { s.active[i] = b }  // client 5 was not served within its lease
        }
        return s
    }

    static func run(_ message: [UInt8], allowed: Bool = true) -> (LeasequeryOutcome, LeasequeryBulkResponder.Disposition, [[UInt8]]) {
        var frames: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let (o, d) = message.withUnsafeBytes { m in
            buffer.withUnsafeMutableBytes { b in
                LeasequeryBulkResponder.answer(m, querier: IPv6Address("2001:db8:ffff::9")!, port: 40_000, allowed: allowed,
                                               serverID: serverID, data: source, buffer: b) { frames.append(Array($0)) }
            }
        }
        return (o, d, frames)
    }

    static func address(_ frame: [UInt8]) -> IPv6Address? {
        guard let data = lqOptions(frame[4...]).first(where: { $0.code == 45 }),
              let ia = lqOptions(data.payload).first(where: { $0.code == 5 }) else { return nil }
        return IPv6Address(networkBytes: ia.payload.prefix(16))
    }

    @Test func byRemoteIdStreamsTheActiveClientsBehindItInAddressOrderThenDone() {
        let q = LeasequeryTests.query(type: 5, [Packet.remoteID(enterprise: 4874, "olt-1")], xid: 0x0a0b0c)
        let (o, d, frames) = Self.run(q)
        #expect(d == .keepOpen && o.result == .data && o.bindings == 2 && o.transport == .tcp)
        #expect(frames.map(\.first) == [15, 17, 16])
        #expect(frames.allSatisfy { Array($0[1..<4]) == [0x0a, 0x0b, 0x0c] })
        #expect(frames.prefix(2).map(Self.address) == [IPv6Address("2001:db8:1::10")!, IPv6Address("2001:db8:1::30")!])
        #expect(lqOptions(frames[0][4...]).map(\.code) == [1, 2, 45, 47])
        #expect(lqOptions(frames[1][4...]).map(\.code) == [45, 47])
        #expect(frames[2] == [16, 0x0a, 0x0b, 0x0c])
    }

    @Test func thePreparedAnswerEncodesTheSameMessagesOneAtATime() throws {
        let q = LeasequeryTests.query(type: 5, [Packet.remoteID(enterprise: 4874, "olt-1")], xid: 0x0a0b0c)
        let all = Self.run(q).2
        let a = q.withUnsafeBytes {
            LeasequeryBulkResponder.prepare($0, querier: IPv6Address("2001:db8:ffff::9")!, port: 1, allowed: true,
                                            serverID: Self.serverID, data: Self.source)
        }
        #expect(a.messageCount == 3)
        var buffer = [UInt8](repeating: 0, count: 4096)
        let one = try (0..<a.messageCount).map { i in
            let n = try #require(buffer.withUnsafeMutableBytes { a.message(i, into: $0) })
            return Array(buffer[..<n])
        }
        #expect(one == all)
    }

    @Test func byRelayIdAndByLinkAddressSelectTheirClients() {
        let byRelay = Self.run(LeasequeryTests.query(type: 3, [Packet.option(53, Self.relayID)]))
        #expect(byRelay.2.compactMap(Self.address) == ["2001:db8:1::10", "2001:db8:1::20", "2001:db8:1::30"].map { IPv6Address($0)! })
        let byLink = Self.run(LeasequeryTests.query(type: 4, link: "2001:db8:b::1", []))
        #expect(byLink.2.map(\.first) == [15, 16])
        #expect(byLink.2.compactMap(Self.address) == [IPv6Address("2001:db8:1::20")!])
    }

    @Test func noClientBehindTheRelayIsOneReplyWithoutData() {
        let (o, d, frames) = Self.run(LeasequeryTests.query(type: 5, [Packet.remoteID(enterprise: 4874, "olt-9")]))
        #expect(o.result == .noData && d == .keepOpen)
        #expect(frames.count == 1 && lqOptions(frames[0][4...]).map(\.code) == [1, 2])
    }

    @Test func singleQueriesOverTCPAreAnsweredLikeUDPThenDone() {
        let found = Self.run(LeasequeryTests.query(type: 1, [Packet.iaAddress("2001:db8:1::10")]))
        #expect(found.2.map(\.first) == [15, 16])
        let notConfigured = Self.run(LeasequeryTests.query(type: 1, [Packet.iaAddress("2001:db8:9::1")]))
        #expect(notConfigured.0.result == .notConfigured && notConfigured.2.count == 1)
        #expect(LeasequeryTests.status(notConfigured.2[0]) == 9)
    }

    @Test(arguments: [[UInt8]([12, 0, 0]), [1, 0, 0, 1] + Packet.clientID("00:01"),
                      Packet.client(type: 14, xid: 1, [Packet.clientID(LeasequeryTests.requestor)]) + [0, 44, 0, 99, 5]])
    func aFrameThatIsNoLeasequeryClosesTheConnectionWithoutAnswer(_ frame: [UInt8]) {
        let (_, d, frames) = Self.run(frame)
        #expect(d == .close && frames.isEmpty)
    }

    @Test func aMalformedQueryIsAnsweredAndTheConnectionStays() {
        let (o, d, frames) = Self.run(Packet.client(type: 14, xid: 1, [Packet.clientID(LeasequeryTests.requestor)]))
        #expect(o.result == .malformedQuery && d == .keepOpen)
        #expect(frames.count == 1 && LeasequeryTests.status(frames[0]) == 8)
    }

    @Test func aQuerierNotAllowedGetsNotAllowedAndTheConnectionCloses() {
        let (o, d, frames) = Self.run(LeasequeryTests.query(type: 5, [Packet.remoteID(enterprise: 4874, "olt-1")]), allowed: false)
        #expect(o.result == .notAllowed && d == .close)
        #expect(frames.count == 1 && LeasequeryTests.status(frames[0]) == 10)
        #expect(!lqOptions(frames[0][4...]).contains { $0.code == 45 })
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: TsharkTests.tshark)))
    func tsharkDecodesBulkMessagesWithoutMalformedFields() throws {
        let frames = Self.run(LeasequeryTests.query(type: 5, [Packet.remoteID(enterprise: 4874, "olt-1")])).2
        let text = try TsharkTests.dissect(frames)
        #expect(!text.contains("Malformed"))
        #expect(!text.contains("Expert Info (Error"))
        #expect(text.contains("Leasequery-data (17)"))
        #expect(text.contains("Leasequery-done (16)"))
    }
}

/// Mutated leasequeries (bytes flipped, truncated, lengths changed) never crash the decoder, the UDP
/// answer or the bulk responder, and never produce a reply larger than the buffer.
@Suite struct LeasequeryMutationTests {
    @Test func mutatedQueriesAreAnsweredOrRefusedNeverCrash() {
        var rng = SeededGenerator(seed: 0x1eA5e)
        let seeds = [
            LeasequeryTests.byAddress("2001:db8:1::10"),
            LeasequeryTests.query(type: 2, [Packet.clientID(Fixture.clientDUID)]),
            LeasequeryTests.query(type: 5, [Packet.remoteID(enterprise: 4874, "olt-1")]),
            Packet.relay(LeasequeryTests.byAddress("2001:db8:1::10"), link: "2001:db8:ffff::1", peer: "2001:db8:ffff::2"),
        ]
        var fixture = Fixture()
        fixture.config.leasequery = LeasequerySettings(allowed: [.v6(IPv6Prefix("2001:db8:ffff::/48")!)], bulk: true)
        let engine = fixture.engine
        let source = LeasequeryBulkTests.source
        var out = [UInt8](repeating: 0, count: 1500)
        for i in 0..<3000 {
            var m = seeds[i % seeds.count]
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: m[Int.random(in: 0..<m.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                case 1: m.removeLast(Int.random(in: 0..<min(8, m.count), using: &rng))
                default: m.append(UInt8.random(in: 0...255, using: &rng))
                }
                if m.isEmpty { m = [14] }
            }
            let o = m.withUnsafeBytes { d in
                out.withUnsafeMutableBytes {
                    engine.leasequery(datagram: d, source: LeasequeryTests.querier, sourcePort: 547, data: source, reply: $0)
                }
            }
            #expect((o.reply?.length ?? 0) <= out.count)
            _ = LeasequeryBulkTests.run(m)
        }
    }
}
