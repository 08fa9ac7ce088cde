import DHCPWireKit
import ShadowCore
import Testing
@testable import DHCPv4

/// High availability in the DHCPv4 engine (docs/high-availability.md, "Who answers"): the share
/// of each client decides who answers it; a server silent to a client still learns its binding.
///
/// The shares of World's clients with two servers (RFC 3074 hash of the key, mod 2; worked out
/// independently of `LoadBalancingHash`):
/// - chaddr 00:11:22:33:44:55 (A, MAC reservation): hash 135 → share 1
/// - chaddr aa:bb:cc:dd:ee:ff (C, MAC reservation with Option 82): hash 57 → share 1
/// - chaddr 11:22:33:44:55:66 (unknown MAC, reservation B through Option 82): hash 66 → share 0
/// - option 61 `01 aa bb cc dd ee ff`: hash 102 → share 0
/// - option 61 `00 "client-2"`: hash 159 → share 1; `00 "client-1"`: hash 140 → share 0
@Suite("DHCPv4 engine: HA shares")
struct HAShareTests {
    /// Load-balancing between two servers, both up: server `index` answers its own share.
    static func loadBalancing(server index: Int) -> ServiceShares {
        ServiceShares(mode: .loadBalancing, serverCount: 2, primaryIndex: 0, answering: 1 << UInt16(index))
    }

    static let optionB = Option82(remote: "switch1:port1")
    static let optionC = Option82(remote: "fallback-remote")

    static func discover(_ mac: MACAddress, option82B: Bool = false) -> DHCPv4PacketBuilder {
        var p = World.packet(.discover, mac)
        if option82B { p.relayAgentInformation(remote: "switch1:port1") }
        return p
    }

    static func selecting(_ mac: MACAddress, requested: IPv4Address, server: IPv4Address = World.serverID) -> DHCPv4PacketBuilder {
        var p = World.packet(.request, mac)
        p.requestedAddress(requested)
        p.serverIdentifier(server)
        return p
    }

    @Test("Load-balancing, two servers: each client is answered by exactly one, split by the chaddr hash")
    func splitByChaddr() throws {
        let a = Self.discover(World.macA)  // share 1
        let b = Self.discover(World.unknownMAC, option82B: true)  // share 0
        let zero = Self.loadBalancing(server: 0), one = Self.loadBalancing(server: 1)

        let bOnZero = World.exchange(b, shares: zero)
        #expect(bOnZero.type == .offer)
        #expect(bOnZero.reply?.yiaddr == World.addressB)
        let aOnOne = World.exchange(a, shares: one)
        #expect(aOnOne.type == .offer)
        #expect(aOnOne.reply?.yiaddr == World.addressA)

        for silent in [World.exchange(a, shares: zero), World.exchange(b, shares: one)] {
            #expect(silent.reply == nil)
            #expect(silent.reason == .peerShare)
            #expect(silent.outcome.event.failureReason == .peerShare)
            #expect(silent.outcome.event.jsonLine(timestampKey: "timestamp_ms", timestamp: 0).contains(#""failure_reason":"PeerShare""#))
        }
        // Standalone answers both.
        #expect(World.exchange(a).type == .offer)
        #expect(World.exchange(b).type == .offer)
    }

    @Test("Option 61 is the key when the client sends one; an empty option 61 falls back to chaddr")
    func option61Key() {
        var withID = Self.discover(World.macC)  // chaddr in share 1 …
        withID.add(61, [0x01, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF])  // … client identifier in share 0
        #expect(World.exchange(withID, shares: Self.loadBalancing(server: 0)).type == .offer)
        #expect(World.exchange(withID, shares: Self.loadBalancing(server: 1)).reason == .peerShare)

        var a = Self.discover(World.macA)  // chaddr in share 1
        a.add(61, Array("\u{0}client-1".utf8))  // share 0
        #expect(World.exchange(a, shares: Self.loadBalancing(server: 0)).reply?.yiaddr == World.addressA)
        #expect(World.exchange(a, shares: Self.loadBalancing(server: 1)).reason == .peerShare)
        var a2 = Self.discover(World.macA)
        a2.add(61, Array("\u{0}client-2".utf8))  // share 1
        #expect(World.exchange(a2, shares: Self.loadBalancing(server: 1)).type == .offer)
        #expect(World.exchange(a2, shares: Self.loadBalancing(server: 0)).reason == .peerShare)

        var empty = Self.discover(World.macC)
        empty.add(61, [])
        #expect(World.exchange(empty, shares: Self.loadBalancing(server: 1)).type == .offer)
        #expect(World.exchange(empty, shares: Self.loadBalancing(server: 0)).reason == .peerShare)
    }

    @Test("A peer's-share DISCOVER, REQUEST or INFORM for a reservation with Option 82: silent, but learns")
    func peerShareLearns() {
        let zero = Self.loadBalancing(server: 0), one = Self.loadBalancing(server: 1)
        var inform = World.packet(.inform, World.macC)
        inform.ciaddr = World.addressC
        let requests: [[UInt8]] = [
            Self.discover(World.macC).bytes,
            Self.selecting(World.macC, requested: World.addressC).bytes,
            inform.bytes,
        ]
        for request in requests {
            let silent = World.exchange(bytes: request, shares: zero)  // C is in share 1
            #expect(silent.reply == nil)
            #expect(silent.reason == .peerShare)
            #expect(silent.outcome.learnedBinding == DHCPv4LearnedBinding(mac: World.macC, option82: Self.optionC, previous: nil))
            // What the table held is reported as before.
            var table = BindingTable()
            table.learn(mac: World.macC, option82: Self.optionB, now: 1)
            #expect(World.exchange(bytes: request, bindings: table, shares: zero).outcome.learnedBinding?.previous == Self.optionB)
        }
        // Found through Option 82 (B, no MAC in the reservation): the wire chaddr learns B's Option 82.
        let b = World.exchange(Self.discover(World.unknownMAC, option82B: true), shares: one)
        #expect(b.reason == .peerShare)
        #expect(b.outcome.learnedBinding == DHCPv4LearnedBinding(mac: World.unknownMAC, option82: Self.optionB, previous: nil))
        // A reservation without Option 82 (A) teaches nothing; neither does an unknown client.
        #expect(World.exchange(Self.discover(World.macA), shares: zero).outcome.learnedBinding == nil)
        let unknown = World.exchange(Self.discover(World.unknownMAC), shares: one)
        #expect(unknown.reason == .peerShare)
        #expect(unknown.outcome.learnedBinding == nil)
        // DECLINE and RELEASE are silent for a peer's share too, and teach nothing.
        for type in [DHCPv4MessageType.decline, .release] {
            let r = World.exchange(World.packet(type, World.macC), shares: zero)
            #expect(r.reason == .peerShare)
            #expect(r.outcome.learnedBinding == nil)
        }
        // Answering its own share with HA, the OFFER teaches too (standalone only the ACK does), and so does the ACK.
        let offer = World.exchange(Self.discover(World.macC), shares: one)
        #expect(offer.type == .offer)
        #expect(offer.outcome.learnedBinding?.option82 == Self.optionC)
        #expect(World.exchange(Self.discover(World.macC), shares: .standalone).outcome.learnedBinding == nil)
        let ack = World.exchange(Self.selecting(World.macC, requested: World.addressC), shares: one)
        #expect(ack.type == .ack)
        #expect(ack.outcome.learnedBinding?.option82 == Self.optionC)
    }

    @Test("A SELECTING REQUEST naming another server: silent; with HA it learns, without HA not")
    func wrongServerIdLearnsOnlyWithHA() {
        let request = Self.selecting(World.macC, requested: World.addressC, server: IPv4Address(10, 0, 0, 2))
        let activeActive = ServiceShares(mode: .activeActive, serverCount: 2, primaryIndex: 0, answering: 0b11)
        let ha = World.exchange(request, shares: activeActive)
        #expect(ha.reply == nil)
        #expect(ha.reason == .wrongServerId)
        #expect(ha.outcome.learnedBinding == DHCPv4LearnedBinding(mac: World.macC, option82: Self.optionC, previous: nil))
        // Load-balancing, the client in this server's share: the same.
        #expect(World.exchange(request, shares: Self.loadBalancing(server: 1)).outcome.learnedBinding?.mac == World.macC)

        let standalone = World.exchange(request)
        #expect(standalone.reason == .wrongServerId)
        #expect(standalone.outcome.learnedBinding == nil)
    }

    @Test("Without HA the silent cases teach nothing (behavior.md: only an ACK learns)")
    func standaloneLearnsOnlyFromAck() {
        #expect(World.exchange(Self.discover(World.macC)).outcome.learnedBinding == nil)
        #expect(World.exchange(Self.discover(World.unknownMAC, option82B: true)).outcome.learnedBinding == nil)
        #expect(World.exchange(Self.selecting(World.macC, requested: World.addressC)).outcome.learnedBinding?.mac == World.macC)
    }

    @Test("Hot-standby: the standby answers no one, the primary everyone; standby takes over when the primary is down")
    func hotStandby() {
        let clients = [Self.discover(World.macA), Self.discover(World.macC), Self.discover(World.unknownMAC, option82B: true)]
        let settings = { (me: String) in
            HASettings(thisServer: me, mode: .hotStandby, primary: "dhcp-a", listen: .v4(IPv4Address(192, 0, 2, 1), port: 8548),
                       keyFile: "/k", peers: [HASettings.Peer(name: me == "dhcp-a" ? "dhcp-b" : "dhcp-a",
                                                              address: .v4(IPv4Address(192, 0, 2, 2), port: 8548))])
        }
        let primary = ServiceShares(settings: settings("dhcp-a"), up: ["dhcp-b"])
        let standby = ServiceShares(settings: settings("dhcp-b"), up: ["dhcp-a"])
        let takenOver = ServiceShares(settings: settings("dhcp-b"), up: [])
        #expect(standby.answering == 0)
        for client in clients {
            #expect(World.exchange(client, shares: primary).type == .offer)
            #expect(World.exchange(client, shares: standby).reason == .peerShare)
            #expect(World.exchange(client, shares: takenOver).type == .offer)
        }
        // The standby learns from the primary's clients.
        #expect(World.exchange(clients[1], shares: standby).outcome.learnedBinding?.option82 == Self.optionC)
    }
}
