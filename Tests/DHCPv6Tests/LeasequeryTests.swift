import DHCPWireKit
import Foundation
import Testing
import ShadowCore
@testable import DHCPv6

/// A data source over a table: reservations by index, with their "served" bindings.
struct TableSource: LeasequeryDataSource {
    var reservations: [Reservation]
    var active: [Int: LeasequeryBinding] = [:]

    func reservation(holding address: IPv6Address) -> Int? {
        reservations.firstIndex { $0.ipv6NA == address || $0.ipv6PD.contains(address) }
    }

    func reservation(clientID: UnsafeRawBufferPointer) -> Int? {
        reservations.firstIndex { $0.duid?.bytes == Array(clientID) }
            ?? active.first { $0.value.clientID == Array(clientID) }?.key
    }

    func activeBinding(_ index: Int) -> LeasequeryBinding? { active[index] }
}

/// Top-level options of a DHCPv6 message (client/server format, 4-byte header) or of an option payload.
func lqOptions(_ bytes: ArraySlice<UInt8>) -> [(code: UInt16, payload: ArraySlice<UInt8>)] {
    var out: [(UInt16, ArraySlice<UInt8>)] = []
    var i = bytes.startIndex
    while i + 4 <= bytes.endIndex {
        let code = UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])
        let length = Int(UInt16(bytes[i + 2]) << 8 | UInt16(bytes[i + 3]))
        guard i + 4 + length <= bytes.endIndex else { break }
        out.append((code, bytes[(i + 4)..<(i + 4 + length)]))
        i += 4 + length
    }
    return out
}

func be32(_ s: ArraySlice<UInt8>, _ at: Int) -> UInt32 {
    let i = s.startIndex + at
    return UInt32(s[i]) << 24 | UInt32(s[i + 1]) << 16 | UInt32(s[i + 2]) << 8 | UInt32(s[i + 3])
}

@Suite struct LeasequeryTests {
    static let requestor = DUID("00:03:00:01:02:00:5e:00:99:01")!
    static let querier = IPv6Address("2001:db8:ffff::99")!
    static let relayChain = Packet.relay([], link: "2001:db8:a::1", peer: "fe80::1",
                                         extra: [Packet.interfaceID("ge-0/0/1"), Packet.remoteID(enterprise: 4874, "sub-7")])
        .dropLast(4)  // without the (empty) Relay Message option

    var fixture: Fixture = {
        var f = Fixture()
        f.ids.v6 = DUID("00:03:00:01:02:00:5e:00:00:01")!
        f.config.leasequery = LeasequerySettings(allowed: [.v6(IPv6Prefix("2001:db8:ffff::/48")!)])
        return f
    }()

    var source: TableSource {
        let binding = LeasequeryBinding(index: 0, clientID: DUID(Fixture.clientDUID)!.bytes, address: Fixture.reservedNA,
                                        prefix: Fixture.reservedPD, preferredLifetime: 1000, validLifetime: 2000,
                                        cltTime: 600,
                                        relay: LeasequeryRelayData(peerAddress: IPv6Address("2001:db8:a::1")!,
                                                                   message: Array(Self.relayChain)))
        return TableSource(reservations: fixture.reservations, active: [0: binding])
    }

    static func query(type: UInt8, link: String = "::", _ queryOptions: [[UInt8]], xid: UInt32 = 0xabcdef,
                      extra: [[UInt8]] = []) -> [UInt8] {
        let lq = Packet.option(44, [type] + IPv6Address(link)!.bytes + queryOptions.flatMap { $0 })
        return Packet.client(type: 14, xid: xid, [Packet.clientID(requestor), lq] + extra)
    }

    static func byAddress(_ a: String, link: String = "::") -> [UInt8] {
        query(type: 1, link: link, [Packet.iaAddress(a)])
    }

    func run(_ datagram: [UInt8], from: IPv6Address = LeasequeryTests.querier, port: UInt16 = 40_000,
             data: TableSource? = nil) -> (LeasequeryOutcome, [UInt8]) {
        var out = [UInt8](repeating: 0, count: 4096)
        let source = data ?? self.source
        let o = datagram.withUnsafeBytes { d in
            out.withUnsafeMutableBytes { fixture.engine.leasequery(datagram: d, source: from, sourcePort: port, data: source, reply: $0) }
        }
        return (o, Array(out[..<(o.reply?.length ?? 0)]))
    }

    static func status(_ message: [UInt8]) -> UInt16? {
        lqOptions(message[4...]).first { $0.code == 13 }.map { UInt16($0.payload.first!) << 8 | UInt16($0.payload.dropFirst().first!) }
    }

    @Test func queryByAddressSentDirectlyIsAnsweredToTheQuerierWithClientAndRelayData() throws {
        let (o, reply) = run(Self.byAddress("2001:db8::1"))
        #expect(o.result == .data && o.transport == .udpDirect && o.rawQueryType == 1)
        let r = try #require(o.reply)
        #expect(r.destination == Self.querier && r.port == 40_000)
        #expect(Array(reply[0..<4]) == [15, 0xab, 0xcd, 0xef])
        let top = lqOptions(reply[4...])
        #expect(top.map(\.code) == [1, 2, 45, 47])
        #expect(Array(top[0].payload) == Self.requestor.bytes)
        #expect(Array(top[1].payload) == fixture.ids.v6.bytes)
        let data = lqOptions(top[2].payload)
        #expect(data.map(\.code) == [1, 5, 26, 46])
        #expect(Array(data[0].payload) == DUID(Fixture.clientDUID)!.bytes)
        #expect(IPv6Address(networkBytes: data[1].payload.prefix(16)) == Fixture.reservedNA)
        #expect(be32(data[1].payload, 16) == 1000 && be32(data[1].payload, 20) == 2000)
        #expect(be32(data[2].payload, 0) == 1000 && be32(data[2].payload, 4) == 2000)
        #expect(data[2].payload[data[2].payload.startIndex + 8] == 56)
        #expect(be32(data[3].payload, 0) == 600)
        #expect(IPv6Address(networkBytes: top[3].payload.prefix(16)) == IPv6Address("2001:db8:a::1")!)
        #expect(Array(top[3].payload.dropFirst(16)) == Array(Self.relayChain))
    }

    @Test func anAddressInsideTheDelegatedPrefixFindsTheClient() {
        #expect(run(Self.byAddress("2001:db8:100:5::1")).0.result == .data)
    }

    @Test func queryByClientIdInsideARelayForwardIsWrappedInARelayReply() throws {
        let q = Self.query(type: 2, [Packet.clientID(Fixture.clientDUID)])
        let (o, reply) = run(Packet.relay(q, link: "2001:db8:ffff::1", peer: "2001:db8:ffff::99"), port: 547)
        #expect(o.result == .data && o.transport == .udpRelayed)
        #expect(o.reply?.port == 547)
        #expect(reply[0] == 13)
        let inner = try #require(lqOptions(reply[34...]).first { $0.code == 9 })
        #expect(inner.payload.first == 15)
        #expect(lqOptions(inner.payload.dropFirst(4)).map(\.code) == [1, 2, 45, 47])
    }

    @Test func aReservedAddressNotServedWithinItsLeaseHasNoClientData() {
        let (o, reply) = run(Self.byAddress("2001:db8::1"), data: TableSource(reservations: fixture.reservations))
        #expect(o.result == .noData)
        #expect(lqOptions(reply[4...]).map(\.code) == [1, 2])
    }

    @Test func anUnknownClientHasNoClientData() {
        let (o, reply) = run(Self.query(type: 2, [Packet.clientID("00:03:00:01:00:00:00:00:00:77")]))
        #expect(o.result == .noData)
        #expect(lqOptions(reply[4...]).map(\.code) == [1, 2])
    }

    @Test func anAddressNoReservationHoldsIsNotConfigured() {
        let (o, reply) = run(Self.byAddress("2001:db8:9::9"))
        #expect(o.result == .notConfigured && Self.status(reply) == 9)
    }

    @Test func aLinkAddressOtherThanTheClientsLinkGivesNoData() {
        #expect(run(Self.byAddress("2001:db8::1", link: "2001:db8:b::1")).0.result == .noData)
        #expect(run(Self.byAddress("2001:db8::1", link: "2001:db8:a::1")).0.result == .data)
    }

    @Test(arguments: [
        (Packet.client(type: 14, xid: 1, [Packet.clientID(requestor)]), "no OPTION_LQ_QUERY (44)"),
        (query(type: 1, [Packet.clientID(Fixture.clientDUID)]), "QUERY_BY_ADDRESS without an IA Address option (5)"),
        (query(type: 2, [Packet.iaAddress("2001:db8::1")]), "QUERY_BY_CLIENTID without a Client Identifier (1)"),
        (Packet.client(type: 14, xid: 1, [Packet.option(44, [1] + IPv6Address.any.bytes + Packet.iaAddress("2001:db8::1"))]),
         "no Client Identifier (1)"),
        (Packet.client(type: 14, xid: 1, [Packet.clientID(requestor), Packet.option(44, [1, 0, 0])]),
         "OPTION_LQ_QUERY shorter than 17 bytes"),
        (Packet.client(type: 14, xid: 1, [Packet.clientID(requestor)]) + [0, 44, 0, 40, 1], "options do not fit"),
    ])
    func malformedQueriesAreAnsweredMalformedQuery(_ datagram: [UInt8], _ why: String) {
        let (o, reply) = run(datagram)
        #expect(o.result == .malformedQuery)
        #expect(o.problem?.hasPrefix(why) == true)
        #expect(Self.status(reply) == 8)
        #expect(!lqOptions(reply[4...]).contains { $0.code == 45 })
    }

    @Test(arguments: [UInt8(0), 6, 200, 3, 4, 5])
    func unknownAndBulkOnlyQueryTypesAreUnknownQueryTypeOverUDP(_ type: UInt8) {
        let (o, reply) = run(Self.query(type: type, link: "2001:db8:a::1",
                                        [Packet.option(53, [0, 3, 0, 1, 1, 2, 3, 4, 5, 6]), Packet.remoteID(enterprise: 1, "x")]))
        #expect(o.result == .unknownQueryType)
        #expect(Self.status(reply) == 7)
    }

    @Test func aQuerierOutsideAllowedGetsNotAllowedAndNoData() {
        for datagram in [Self.byAddress("2001:db8::1"), Self.query(type: 2, [Packet.clientID(Fixture.clientDUID)])] {
            let (o, reply) = run(datagram, from: IPv6Address("2001:db8:1::5")!)
            #expect(o.result == .notAllowed)
            #expect(Self.status(reply) == 10)
            #expect(lqOptions(reply[4...]).map(\.code) == [1, 2, 13])
        }
        // A relayed query is judged by the relay's address, the UDP source.
        let relayed = Packet.relay(Self.byAddress("2001:db8::1"), link: "2001:db8:ffff::1", peer: "2001:db8:ffff::99")
        #expect(run(relayed, from: IPv6Address("2001:db8:1::1")!).0.result == .notAllowed)
    }

    @Test func aServerIdentifierThatIsNotOursMeansNoReply() {
        let q = Self.query(type: 1, [Packet.iaAddress("2001:db8::1")], extra: [Packet.serverID("00:03:00:01:02:00:5e:00:00:02")])
        let (o, reply) = run(q)
        #expect(o.result == .discarded && o.reply == nil && reply.isEmpty)
        let ours = Self.query(type: 1, [Packet.iaAddress("2001:db8::1")], extra: [Packet.serverID(fixture.ids.v6)])
        #expect(run(ours).0.result == .data)
    }

    @Test func onlyLeasequeriesAreRecognised() {
        #expect([14, 0, 0, 1].withUnsafeBytes { DHCPv6Engine.isLeasequery($0) })
        #expect(Packet.relay(Self.byAddress("2001:db8::1")).withUnsafeBytes { DHCPv6Engine.isLeasequery($0) })
        #expect(!Packet.relay(Packet.solicit(duid: DUID(Fixture.clientDUID)!, xid: 1)).withUnsafeBytes { DHCPv6Engine.isLeasequery($0) })
        #expect(!Packet.solicit(duid: DUID(Fixture.clientDUID)!, xid: 1).withUnsafeBytes { DHCPv6Engine.isLeasequery($0) })
    }

    @Test func theRelayChainIsKeptWithoutTheClientMessage() throws {
        let solicit = Packet.solicit(duid: DUID(Fixture.clientDUID)!, xid: 7)
        let inner = Packet.relay(solicit, link: "2001:db8:a::1", peer: "fe80::1",
                                 extra: [Packet.remoteID(enterprise: 4874, "sub-7")])
        let outer = Packet.relay(inner, hop: 1, link: "2001:db8:b::1", peer: "2001:db8:a::1",
                                 extra: [Packet.option(53, [0, 3, 0, 1, 2, 0, 0, 0, 0, 9])])
        var out = [UInt8](repeating: 0, count: 256)
        let n = try #require(outer.withUnsafeBytes { d in out.withUnsafeMutableBytes { LeasequeryRelayChain.write(d, into: $0) } })
        let innerWithout = Array(inner.dropLast(4 + solicit.count))
        let expected = Packet.relay(innerWithout, hop: 1, link: "2001:db8:b::1", peer: "2001:db8:a::1",
                                    extra: [Packet.option(53, [0, 3, 0, 1, 2, 0, 0, 0, 0, 9])])
        #expect(Array(out[..<n]) == expected)
        let keys = try #require(LeasequeryRelayData(peerAddress: .any, message: Array(out[..<n])).keys)
        #expect(keys.linkAddress == IPv6Address("2001:db8:a::1")!)
        #expect(keys.relayIDs == [[0, 3, 0, 1, 2, 0, 0, 0, 0, 9]])
        #expect(keys.remoteIDs == [[0, 0, 0x13, 0x0a] + Array("sub-7".utf8)])
        // Too small a buffer: nothing.
        var small = [UInt8](repeating: 0, count: 40)
        #expect(outer.withUnsafeBytes { d in small.withUnsafeMutableBytes { LeasequeryRelayChain.write(d, into: $0) } } == nil)
    }

    @Test func remainingLifetimesCountDownAndInfinityStays() throws {
        var leases = LeaseTimes(v4Lease: 3600)
        leases.v6Preferred = 100
        leases.v6Valid = 200
        let b = try #require(LeasequeryBinding.active(index: 0, clientID: nil, address: .any, prefix: Fixture.reservedPD,
                                                      elapsed: 150, leases: leases, relay: nil))
        #expect(b.preferredLifetime == 0 && b.validLifetime == 50 && b.cltTime == 150)
        #expect(LeasequeryBinding.active(index: 0, clientID: nil, address: .any, prefix: Fixture.reservedPD,
                                         elapsed: 200, leases: leases, relay: nil) == nil)
        leases.v6Preferred = .max
        leases.v6Valid = .max
        let forever = try #require(LeasequeryBinding.active(index: 0, clientID: nil, address: .any, prefix: Fixture.reservedPD,
                                                            elapsed: 1_000_000, leases: leases, relay: nil))
        #expect(forever.preferredLifetime == .max && forever.validLifetime == .max)
    }

    @Test func dataAndDoneMessagesFollowRFC5460() throws {
        var out = [UInt8](repeating: 0, count: 512)
        let b = try #require(source.activeBinding(0))
        let n = try #require(out.withUnsafeMutableBytes { LeasequeryReplyEncoder.data(transactionID: 0x010203, binding: b, into: $0) })
        #expect(Array(out[0..<4]) == [17, 1, 2, 3])
        #expect(lqOptions(out[4..<n]).map(\.code) == [45, 47])
        let d = try #require(out.withUnsafeMutableBytes { LeasequeryReplyEncoder.done(transactionID: 0x010203, status: nil, into: $0) })
        #expect(Array(out[..<d]) == [16, 1, 2, 3])
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: TsharkTests.tshark)))
    func tsharkDecodesLeasequeryRepliesWithoutMalformedFields() throws {
        let replies = [
            run(Self.byAddress("2001:db8::1")).1,
            run(Self.byAddress("2001:db8:9::9")).1,
            run(Self.byAddress("2001:db8::1"), from: IPv6Address("2001:db8:1::5")!).1,
            run(Packet.relay(Self.query(type: 2, [Packet.clientID(Fixture.clientDUID)]), link: "2001:db8:ffff::1",
                             peer: "2001:db8:ffff::99")).1,
        ]
        #expect(replies.allSatisfy { !$0.isEmpty })
        let text = try TsharkTests.dissect(replies)
        #expect(!text.contains("Malformed"))
        #expect(!text.contains("Expert Info (Error"))
        #expect(text.contains("Message type: Leasequery-reply (15)"))
        #expect(text.contains("Client Data"))
        #expect(text.contains("Relay data") || text.contains("LQ Relay Data") || text.contains("Relay Data"))
        #expect(text.contains("NotConfigured"))
        #expect(text.contains("NotAllowed"))
    }
}
