import DHCPWireKit
import DHCPv4
import ShadowCore
import ShadowTesting
import Testing

/// Steps several scenarios share.
enum Scenarios {
    /// REQUEST (SELECTING) → ACK for the Option-82-keyed subscriber through the v4 worker: the
    /// ACK teaches the master the binding `relaySubscriberMAC → relayKey`.
    static func learnRelayBinding(_ relay: RelayV4, master: MasterProcess) throws {
        let request = DHCPv4PacketBuilder.request(mac: Fixtures.relaySubscriberMAC, xid: Fixtures.xid(),
                                                  address: IPv4Address("100.64.0.11")!, server: Fixtures.serverIDv4,
                                                  option82: Fixtures.relayKey)
        let ack = try #require(try relay.exchange(request), "no ACK\n\(master.output.tail())")
        #expect(ack.messageType == DHCPv4Reply.ack)
        #expect(ack.yiaddr == IPv4Address("100.64.0.11")!)
    }

    /// How the v6 relay tells the server the client's MAC.
    enum MACCarrier: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// Option 79 (Client Link-Layer Address) in the Relay-forward.
        case option79
        /// The Relay-forward's peer-address is the client's EUI-64 link-local address.
        case eui64PeerAddress

        var testDescription: String { rawValue }

        func relayOptions(_ mac: MACAddress) -> (peer: IPv6Address, options: [[UInt8]]) {
            switch self {
            case .option79: (IPv6Address("fe80::1")!, [DHCPv6Packet.clientLinkLayerAddress(mac)])
            case .eui64PeerAddress: (DHCPv6Packet.linkLocal(eui64: mac), [])
            }
        }
    }

    /// A SOLICIT from the Option-82 subscriber's CPE, its MAC carried as `carrier` says.
    static func solicitRelaySubscriber(_ relay: RelayV6, carrier: MACCarrier,
                                       timeout: Duration = .seconds(3)) throws -> DHCPv6Reply? {
        let (peer, options) = carrier.relayOptions(Fixtures.relaySubscriberMAC)
        let solicit = DHCPv6Packet.solicit(duid: Fixtures.relaySubscriberDUID, xid: Fixtures.xid())
        return try relay.exchange(solicit, peer: peer, options: options, timeout: timeout)
    }

    /// Repeats the SOLICIT (a learned binding reaches the v6 worker through the master, a moment
    /// after the ACK) until it is answered or `timeout` passes.
    static func solicitRelaySubscriberUntilAnswered(_ relay: RelayV6, carrier: MACCarrier,
                                                    timeout: Duration = .seconds(5)) async throws -> DHCPv6Reply {
        try await eventually(timeout: timeout, "an ADVERTISE for the correlated SOLICIT") {
            try solicitRelaySubscriber(relay, carrier: carrier, timeout: .milliseconds(200))
        }
    }

    /// Checks an ADVERTISE carries the Option-82 subscriber's IA_NA address and IA_PD prefix.
    static func expectRelaySubscriberLeases(_ reply: DHCPv6Reply) {
        #expect(reply.type == DHCPv6Reply.advertise)
        #expect(reply.iaNAAddresses == [IPv6Address("2001:db8:1::11")!])
        #expect(reply.iaPDPrefixes == [IPv6Prefix("2001:db8:101::/56")!])
    }
}
