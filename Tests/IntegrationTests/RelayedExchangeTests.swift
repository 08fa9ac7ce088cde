import DHCPWireKit
import DHCPv4
import ShadowCore
import ShadowTesting
import Testing

/// One relayed DISCOVER and one relayed SOLICIT through the real processes and sockets.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct RelayedExchangeTests {
    @Test func relayedDiscoverGetsTheReservedOffer() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations)
        // A classic relay: replies must come to giaddr, port 67.
        let relay = try RelayV4(server: directory.v4Server, listeningOn67At: try Loopback.freeIPv4(port: 67))
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            var discover = DHCPv4PacketBuilder.discover(mac: Fixtures.macSubscriberMAC, xid: Fixtures.xid())
            discover.relayAgentInformation(circuit: "ge-0/0/7.100", remote: "relay-remote-1")
            let sent = relay.relayed(discover)
            let sentOption82 = try #require(sent.options.last { $0.code == DHCPv4Option.relayAgentInformation }).payload

            let offer = try #require(try relay.exchange(discover), "no OFFER\n\(master.output.tail())")
            #expect(offer.op == 2)
            #expect(offer.messageType == DHCPv4Reply.offer)
            #expect(offer.xid == discover.xid)
            #expect(offer.yiaddr == IPv4Address("198.51.100.10")!)
            #expect(offer.giaddr == relay.giaddr)
            #expect(offer.chaddr == Fixtures.macSubscriberMAC.bytes)
            #expect(offer.serverIdentifier == Fixtures.serverIDv4)
            #expect(offer.relayAgentInformation == sentOption82, "Option 82 is not echoed byte for byte")
            #expect(offer.optionCodes.last == DHCPv4Option.relayAgentInformation)
            #expect(offer.option(DHCPv4Option.leaseTime) == [0, 0, 0x0E, 0x10])
            #expect(offer.option(DHCPv4Option.router) == [198, 51, 100, 1])
            #expect(offer.bytes.count >= 300)
        }
    }

    @Test func relayedSolicitGetsTheReservedAdvertise() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations)
        let relay = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            let peer = IPv6Address("fe80::211:22ff:fe33:4455")!
            let solicit = DHCPv6Packet.solicit(duid: Fixtures.macSubscriberDUID, xid: 0x00AB_CDEF)
            let reply = try #require(try relay.exchange(solicit, peer: peer, options: [DHCPv6Packet.interfaceID("port-7")]),
                                     "no Relay-reply\n\(master.output.tail())")
            let level = try #require(reply.levels.first)
            #expect(reply.levels.count == 1)
            #expect(level.link == relay.linkAddress)
            #expect(level.peer == peer)
            #expect(level.options.first { $0.code == 18 }?.payload == Array("port-7".utf8), "Interface-ID not echoed")
            #expect(reply.type == DHCPv6Reply.advertise)
            #expect(reply.xid == 0x00AB_CDEF)
            #expect(reply.serverID == Fixtures.serverIDv6.bytes)
            #expect(reply.first(1)?.payload == Fixtures.macSubscriberDUID.bytes)
            #expect(reply.iaNAAddresses == [IPv6Address("2001:db8:1::10")!])
            #expect(reply.iaPDPrefixes == [IPv6Prefix("2001:db8:100::/56")!])
            #expect(reply.first(7)?.payload == [255], "Preference 255")
        }
    }
}
