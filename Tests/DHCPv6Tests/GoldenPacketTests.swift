import DHCPWireKit
import Testing
import ShadowCore
@testable import DHCPv6

/// docs/testing.md golden packets, decoded with the in-place codec.
@Suite struct GoldenPacketTests {
    static let a = "01a4cf700001000a000300010855318f19940003000c000000050000070800000b40000600020017000800020000000e00000019000c000000050000070800000b40"
    static let b = "02a4cf700001000a000300010855318f19940002000e000100012df239c7bc2411a720340003002800000005000003e8000007d0000500182605cb4080200000000000000000000200000bb800000fa00019002900000005000003e8000007d0001a001900000bb800000fa0382605cb40802001000000000000000000"
    static let c = "032acb850001000a000300010855318f19940002000e000100012df239c7bc2411a720340003002800000005000003e8000007d0000500182605cb4080200000000000000000000200000bb800000fa00006000200170008000200000019002900000005000003e8000007d0001a001900000bb800000fa0382605cb40802001000000000000000000"
    static let d = "072acb850001000a000300010855318f19940002000e000100012df239c7bc2411a720340003002800000005000003e8000007d0000500182605cb4080200000000000000000000200000bb800000fa00019002900000005000003e8000007d0001a001900000bb800000fa0382605cb40802001000000000000000000"
    static let e = "0c0000000000000000000000000000000000fe800000000000000a5531fffe8f1998004f000800010a55318f1998001200040000000c00090042019c31b20001000a000300010855318f19940003000c000000050000070800000b40000600020017000800020000000e00000019000c000000050000070800000b40"
    static let f = "0d0000000000000000000000000000000000fe800000000000000a5531fffe8f1998001200040000000c0009007d029c31b20001000a000300010855318f19940002000e000100012df239c7bc2411a720340003002800000005000003e8000007d0000500182605cb4080200000000000000000000200000bb800000fa00019002900000005000003e8000007d0001a001900000bb800000fa0382605cb40802001000000000000000000"
    static let g = "0c0000000000000000000000000000000000fe800000000000000a5531fffe8f1998004f000800010a55318f1998001200040000000c0009008903cb9e480001000a000300010855318f19940002000e000100012df239c7bc2411a720340003002800000005000003e8000007d0000500182605cb4080200000000000000000000200000bb800000fa00006000200170008000200000019002900000005000003e8000007d0001a001900000bb800000fa0382605cb40802001000000000000000000"
    static let h = "0d0000000000000000000000000000000000fe800000000000000a5531fffe8f1998001200040000000c0009007d07cb9e480001000a000300010855318f19940002000e000100012df239c7bc2411a720340003002800000005000003e8000007d0000500182605cb4080200000000000000000000200000bb800000fa00019002900000005000003e8000007d0001a001900000bb800000fa0382605cb40802001000000000000000000"

    struct ClientCase: Sendable, CustomTestStringConvertible {
        var name: String
        var hex: String
        var type: DHCPv6MessageType
        var xid: UInt32
        var hasIAs: Bool
        var testDescription: String { name }
    }

    static let clientCases = [
        ClientCase(name: "A mikrotik_solicit", hex: a, type: .solicit, xid: 0xa4cf70, hasIAs: true),
        ClientCase(name: "B kea_advertise", hex: b, type: .advertise, xid: 0xa4cf70, hasIAs: true),
        ClientCase(name: "C mikrotik_request", hex: c, type: .request, xid: 0x2acb85, hasIAs: true),
        ClientCase(name: "D kea_reply", hex: d, type: .reply, xid: 0x2acb85, hasIAs: true),
    ]

    @Test(arguments: clientCases)
    func clientMessages(_ c: ClientCase) throws {
        let bytes = Packet.hex(c.hex)
        try bytes.withUnsafeBytes { buf in
            let m = try DHCPv6ClientMessage.decode(buf, range: 0..<buf.count)
            #expect(m.type == c.type)
            #expect(m.transactionID == c.xid)
            #expect((m.iaNACount == 1 && m.iaPDCount == 1) == c.hasIAs)
            #expect(m.clientID.map { Array(buf[$0]) } == DUID("00:03:00:01:08:55:31:8f:19:94")!.bytes)
        }
    }

    @Test func mikrotikSolicitDetails() throws {
        try Packet.hex(Self.a).withUnsafeBytes { buf in
            let m = try DHCPv6ClientMessage.decode(buf, range: 0..<buf.count)
            #expect(m.hasRapidCommit && m.hasOptionRequest && m.requestsDNS)
            #expect(m.requestedNA == nil && m.requestedPD == nil)
        }
    }

    @Test func keaAdvertiseDetails() throws {
        try Packet.hex(Self.b).withUnsafeBytes { buf in
            let m = try DHCPv6ClientMessage.decode(buf, range: 0..<buf.count)
            #expect(m.requestedNA == IPv6Address("2605:cb40:8020::2"))
            #expect(m.requestedPD == IPv6Prefix("2605:cb40:8020:100::/56"))
            #expect(m.serverID.map { Array(buf[$0]) } == DUID("00:01:00:01:2d:f2:39:c7:bc:24:11:a7:20:34")!.bytes)
        }
    }

    @Test(arguments: [(e, DHCPv6MessageType.solicit, UInt32(0x9c31b2)), (g, .request, 0xcb9e48)])
    func relayForwards(hex: String, inner: DHCPv6MessageType, xid: UInt32) throws {
        try Packet.hex(hex).withUnsafeBytes { buf in
            let d = try DHCPv6Datagram.decode(buf)
            #expect(d.depth == 1)
            #expect(d.outermost.messageType == 12)
            #expect(d.outermost.peerAddress == IPv6Address("fe80::a55:31ff:fe8f:1998"))
            #expect(d.outermost.linkAddress == .any)
            let cll = try #require(d.outermost.clientLinkLayerAddress)
            #expect(Array(buf[cll]) == [0x00, 0x01, 0x0a, 0x55, 0x31, 0x8f, 0x19, 0x98])
            #expect(d.outermost.interfaceID.map { Array(buf[$0]) } == [0, 0, 0, 0x0c])
            #expect(d.client.type == inner && d.client.transactionID == xid)
        }
    }

    @Test(arguments: [(f, DHCPv6MessageType.advertise), (h, .reply)])
    func relayReplies(hex: String, inner: DHCPv6MessageType) throws {
        try Packet.hex(hex).withUnsafeBytes { buf in
            let level = try DHCPv6RelayLevel.decode(buf, range: 0..<buf.count)
            #expect(level.messageType == 13)
            #expect(level.interfaceID.map { Array(buf[$0]) } == [0, 0, 0, 0x0c])
            let payload = try #require(level.relayMessage)
            let m = try DHCPv6ClientMessage.decode(buf, range: payload)
            #expect(m.type == inner && m.iaNACount == 1 && m.iaPDCount == 1)
        }
        // Not a Relay-forward: the server drops it.
        #expect(throws: DHCPv6DecodeError.self) {
            try Packet.hex(hex).withUnsafeBytes { buf in _ = try DHCPv6Datagram.decode(buf) }
        }
    }

    /// Golden E through the engine: the three MAC extractors give three different MACs.
    @Test func goldenEThroughEngine() throws {
        var f = Fixture()
        f.config.macExtractors = [.peerAddrEUI64]
        f.reservations = [Reservation(ipv4: IPv4Address(10, 0, 0, 1), ipv6NA: IPv6Address("2001:db8::5")!,
                                      ipv6PD: IPv6Prefix("2001:db8:5::/56")!, mac: MACAddress("08-55-31-8F-19-98"))]
        let (outcome, bytes) = f.run(Packet.hex(Self.e))
        let r = try #require(DHCPv6Reply(bytes))
        #expect(r.type == 7 && r.xid == 0x9c31b2)
        #expect(outcome.event.match?.method == .mac && outcome.event.match?.extractor == "peer_addr_eui64")
        #expect(outcome.event.mac == MACAddress("0A-55-31-8F-19-98"))
        #expect(r.levels.first?.options.map(\.code) == [9, 18])
    }
}
