import DHCPWireKit
import DHCPv4
import Glibc
import ShadowCore
import ShadowTesting
import Testing

/// DHCPv4 leasequery through the real master and v4 worker (docs/leasequery.md): clients served
/// through a relay on loopback, then asked about over UDP (RFC 4388) and TCP (RFC 6926).
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct LeasequeryTests {
    /// Three reservations behind remote-id olt-7 (addresses out of order), one behind olt-8.
    static func behindOLT(_ n: Int, remote: String = "olt-7") -> TestReservation {
        TestReservation(ipv4: "100.64.0.\(20 + n)", ipv6NA: "2001:db8:1::\(20 + n)", ipv6PD: "2001:db8:1\(20 + n)::/56",
                        option82: .init(circuit: "eth1:\(n)", remote: remote))
    }
    static let reservations = Fixtures.reservations + [behindOLT(3), behindOLT(1), behindOLT(2), behindOLT(4, remote: "olt-8")]

    static func directory(allowed: String = "127.0.0.0/8", bulk: Bool = false) throws -> ServerDirectory {
        try ServerDirectory(reservations: reservations) { config in
            config.extra = [#""leasequery": {"enabled": true, "allowed": ["\#(allowed)"], "bulk": \#(bulk), "bulk_max_connections": 3, "bulk_max_message_bytes": 512}"#]
        }
    }

    /// A DHCPLEASEQUERY as a relay sends it itself: giaddr is the querier.
    static func query(_ build: (inout DHCPv4PacketBuilder) -> Void, bulk: Bool = false) -> DHCPv4PacketBuilder {
        var p = DHCPv4PacketBuilder(type: nil, giaddr: IPv4Address(127, 0, 0, 1))
        p.add(53, [bulk ? 14 : 10])
        p.htype = 0
        p.hlen = 0
        p.hops = 0
        p.xid = Fixtures.xid()
        build(&p)
        return p
    }

    /// Serves `r` (DISCOVER + REQUEST with its Option 82 and, when given, a relay identifier
    /// in sub-option 12, through `relay`).
    static func serve(_ r: TestReservation, mac: MACAddress, relay: RelayV4, relayID: [UInt8]? = nil) throws {
        let o82 = r.option82
        func withRelayID(_ b: DHCPv4PacketBuilder) -> DHCPv4PacketBuilder {
            guard let relayID, let o82 else { return b }
            var b = b
            b.options.removeAll { $0.code == 82 }
            b.relayAgentInformation(circuit: o82.circuit, remote: o82.remote, subscriber: o82.subscriber,
                                    extra: [(12, relayID)])
            return b
        }
        let offer = try #require(try relay.exchange(withRelayID(.discover(mac: mac, xid: Fixtures.xid(), option82: o82))))
        let ack = try #require(try relay.exchange(withRelayID(.request(mac: mac, xid: Fixtures.xid(), address: offer.yiaddr,
                                                                       server: Fixtures.serverIDv4, option82: o82))))
        #expect(ack.messageType == DHCPv4Reply.ack)
    }

    static func ask(_ querier: UDPEndpoint, _ server: SocketAddress, _ p: DHCPv4PacketBuilder,
                    timeout: Duration = .seconds(3)) throws -> DHCPv4Reply? {
        try querier.send(p.bytes, to: server)
        return try querier.receive(timeout: timeout) { bytes, _ in DHCPv4Reply(bytes)?.xid == p.xid }
            .flatMap { DHCPv4Reply($0.0) }
    }

    @Test func queriesByAddressMACAndClientIDOverUDP() async throws {
        let directory = try Self.directory()
        let relay = try RelayV4(server: directory.v4Server)
        let querier = try UDPEndpoint(bind: .v4(IPv4Address(127, 0, 0, 1), port: 0))
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            try Self.serve(Fixtures.macSubscriber, mac: Fixtures.macSubscriberMAC, relay: relay)
            let server = directory.v4Server

            var r = try #require(try Self.ask(querier, server, Self.query { $0.ciaddr = IPv4Address("198.51.100.10")! }),
                                 "no answer\n\(master.output.tail())")
            #expect(r.messageType == 13)
            #expect(r.ciaddr == IPv4Address("198.51.100.10")! && r.clientMAC == Fixtures.macSubscriberMAC)
            #expect((3590...3600).contains(r.leaseTime ?? 0))
            #expect((0...5).contains(r.uint32(91) ?? 99))
            #expect(r.serverIdentifier == Fixtures.serverIDv4)

            r = try #require(try Self.ask(querier, server, Self.query {
                $0.htype = 1; $0.hlen = 6; $0.chaddr = Fixtures.macSubscriberMAC.bytes; $0.add(55, [92])
            }))
            #expect(r.messageType == 13 && r.ciaddr == IPv4Address("198.51.100.10")!)
            #expect(r.addresses(92) == [IPv4Address("198.51.100.10")!])

            r = try #require(try Self.ask(querier, server, Self.query { $0.add(61, [1] + Fixtures.macSubscriberMAC.bytes) }))
            #expect(r.messageType == 13 && r.ciaddr == IPv4Address("198.51.100.10")!)

            // Sent directly, giaddr 0: answered to the source address and port.
            r = try #require(try Self.ask(querier, server, Self.query { $0.giaddr = .any; $0.ciaddr = IPv4Address("198.51.100.10")! }))
            #expect(r.messageType == 13 && r.giaddr == .any)

            // Reserved, never served: unassigned by address, unknown by client.
            r = try #require(try Self.ask(querier, server, Self.query { $0.ciaddr = IPv4Address("100.64.0.11")! }))
            #expect(r.messageType == 11 && r.ciaddr == IPv4Address("100.64.0.11")!)
            r = try #require(try Self.ask(querier, server, Self.query { $0.ciaddr = IPv4Address("198.51.100.99")! }))
            #expect(r.messageType == 12)
            r = try #require(try Self.ask(querier, server, Self.query {
                $0.htype = 1; $0.hlen = 6; $0.chaddr = Fixtures.relaySubscriberMAC.bytes
            }))
            #expect(r.messageType == 12)
            // No query type at all: MalformedQuery in a DHCPLEASEUNKNOWN.
            r = try #require(try Self.ask(querier, server, Self.query { _ in }))
            #expect(r.messageType == 12 && r.option(151)?.first == 3)

            _ = try await eventually(timeout: .seconds(5), "the query log lines") {
                master.lines.filter { $0.message == "DHCPv4 leasequery answered" }.count >= 8 ? true : nil
            }
            let active = master.lines.first { $0.message == "DHCPv4 leasequery answered" && $0["result"] == "Active" }
            #expect(active?["query"] == "Address" && active?["transport"] == "udp", "\(master.output.tail())")
        }
    }

    @Test func aQuerierOutsideAllowedGetsNothing() async throws {
        let directory = try Self.directory(allowed: "192.0.2.0/24")
        let relay = try RelayV4(server: directory.v4Server)
        let querier = try UDPEndpoint(bind: .v4(IPv4Address(127, 0, 0, 1), port: 0))
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            try Self.serve(Fixtures.macSubscriber, mac: Fixtures.macSubscriberMAC, relay: relay)
            let reply = try Self.ask(querier, directory.v4Server, Self.query { $0.ciaddr = IPv4Address("198.51.100.10")! },
                                     timeout: .seconds(1))
            #expect(reply == nil)
            let refused = try await eventually(timeout: .seconds(5), "the refusal") {
                master.lines.first { $0.message == "DHCPv4 leasequery refused: querier not allowed" }
            }
            #expect(refused["querier"] == "127.0.0.1")
        }
    }

    @Test func bulkByRemoteIDStreamsTheServedClientsInOrderThenDone() async throws {
        let directory = try Self.directory(bulk: true)
        let relay = try RelayV4(server: directory.v4Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            // 100.64.0.21 and .23 behind olt-7 are served, .22 is not; .24 is behind olt-8.
            // .23 and .24 came through relay identifier aa:01, .21 through none.
            try Self.serve(Self.behindOLT(3), mac: MACAddress("02:00:00:00:00:03")!, relay: relay, relayID: [0xAA, 0x01])
            try Self.serve(Self.behindOLT(1), mac: MACAddress("02:00:00:00:00:01")!, relay: relay)
            try Self.serve(Self.behindOLT(4, remote: "olt-8"), mac: MACAddress("02:00:00:00:00:04")!, relay: relay,
                           relayID: [0xAA, 0x01])

            let client = try FramedTCPClient(connectingTo: directory.v4Server)
            let q = Self.query({ $0.relayAgentInformation(remote: "olt-7") }, bulk: true)
            try client.send(message: q.bytes)
            var replies: [DHCPv4Reply] = []
            while let m = try client.receive(), let r = DHCPv4Reply(m) {
                replies.append(r)
                if r.messageType == 15 { break }
            }
            #expect(replies.map(\.messageType) == [13, 13, 15], "\(master.output.tail())")
            #expect(replies.map(\.ciaddr) == [IPv4Address("100.64.0.21")!, IPv4Address("100.64.0.23")!, .any])
            #expect(replies.allSatisfy { $0.xid == q.xid })
            #expect(replies.first?.relayAgentInformation
                    == DHCPv4Options.relayAgentInformation([(1, Array("eth1:1".utf8)), (2, Array("olt-7".utf8))]))
            #expect(replies.first?.option(152) != nil)

            // By relay identifier: the clients whose last ACK came through it, ascending.
            let byRelay = Self.query({ $0.relayAgentInformation([(12, [0xAA, 0x01])]) }, bulk: true)
            try client.send(message: byRelay.bytes)
            var relayed: [DHCPv4Reply] = []
            while let m = try client.receive(), let r = DHCPv4Reply(m) {
                relayed.append(r)
                if r.messageType == 15 { break }
            }
            #expect(relayed.map(\.messageType) == [13, 13, 15])
            #expect(relayed.map(\.ciaddr) == [IPv4Address("100.64.0.23")!, IPv4Address("100.64.0.24")!, .any])

            // A DHCPLEASEQUERY on the same connection gets its one reply.
            let single = Self.query { $0.ciaddr = IPv4Address("100.64.0.22")! }
            try client.send(message: single.bytes)
            let r = try #require(try client.receive().flatMap { DHCPv4Reply($0) })
            #expect(r.messageType == 11 && r.xid == single.xid)
        }
    }

    @Test func aMalformedOrOversizedFrameClosesOnlyItsConnection() async throws {
        let directory = try Self.directory(bulk: true)
        let relay = try RelayV4(server: directory.v4Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            try Self.serve(Self.behindOLT(1), mac: MACAddress("02:00:00:00:00:01")!, relay: relay)
            let good = try FramedTCPClient(connectingTo: directory.v4Server)
            let oversized = try FramedTCPClient(connectingTo: directory.v4Server)
            try oversized.send(raw: [0x02, 0x01] + [UInt8](repeating: 0, count: 16))  // 513 > 512
            #expect(try oversized.closesWithin(.seconds(3)))
            let garbage = try FramedTCPClient(connectingTo: directory.v4Server)
            try garbage.send(message: [UInt8](repeating: 0xAB, count: 40))
            #expect(try garbage.closesWithin(.seconds(3)))
            // Past bulk_max_connections (3, one left after good): accepted and closed at once.
            let second = try FramedTCPClient(connectingTo: directory.v4Server)
            let third = try FramedTCPClient(connectingTo: directory.v4Server)
            let fourth = try FramedTCPClient(connectingTo: directory.v4Server)
            #expect(try fourth.closesWithin(.seconds(3)))
            _ = (second, third)

            // The first connection and UDP still work.
            try good.send(message: Self.query({ $0.relayAgentInformation(remote: "olt-7") }, bulk: true).bytes)
            var types: [UInt8] = []
            while let m = try good.receive(), let r = DHCPv4Reply(m), let t = r.messageType {
                types.append(t)
                if t == 15 { break }
            }
            #expect(types == [13, 15])
            try Self.serve(Fixtures.macSubscriber, mac: Fixtures.macSubscriberMAC, relay: relay)
            let closed = try await eventually(timeout: .seconds(5), "the close reasons") {
                let reasons = Set(master.lines.filter { $0.message == "v4 worker: bulk leasequery connection closed" }
                    .compactMap { $0["reason"] })
                return reasons.isSuperset(of: ["Oversized", "Malformed", "TooMany"]) ? reasons : nil
            }
            #expect(closed.count >= 3)
        }
    }
}
