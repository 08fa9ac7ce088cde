import DHCPWireKit
import ShadowBench
import ShadowCore
import Testing

@Suite("DHCPv4 request writer and reply parser")
struct V4PacketTests {
    static let relay = V4Relay(giaddr: IPv4Address(198, 18, 0, 2), circuitID: "bench", sourcePortOption: true)

    @Test("a DISCOVER as a relay forwards it")
    func discover() {
        let mac = MACAddress("02:00:00:00:00:07")!
        let p = written { V4RequestWriter(relay: Self.relay).discover(mac: mac, xid: 0x01020304, requested: nil, into: $0) }
        #expect(p.count == 300)
        #expect(Array(p[0..<4]) == [1, 1, 6, 1])
        #expect(Array(p[4..<8]) == [1, 2, 3, 4])
        #expect(Array(p[24..<28]) == [198, 18, 0, 2])
        #expect(Array(p[28..<34]) == mac.bytes)
        #expect(Array(p[236..<240]) == [99, 130, 83, 99])
        #expect(Array(p[240..<243]) == [53, 1, 1])
        let o82: [UInt8] = [82, 9, 1, 5] + Array("bench".utf8) + [19, 0, 255]
        #expect(Array(p[251..<(251 + o82.count)]) == o82)
    }

    @Test("a SELECTING REQUEST names the server and the offered address")
    func request() {
        let p = written {
            V4RequestWriter(relay: V4Relay(giaddr: IPv4Address(192, 0, 2, 7))).request(
                mac: MACAddress(value: 1), xid: 9, requested: IPv4Address(100, 64, 0, 9), server: IPv4Address(198, 18, 0, 1), into: $0)
        }
        #expect(Array(p[240..<255]) == [53, 1, 3, 50, 4, 100, 64, 0, 9, 54, 4, 198, 18, 0, 1])
        #expect(p.count == 300)
    }

    /// An OFFER in the layout and option order of docs/dhcpv4.md.
    static func offer(xid: UInt32, yiaddr: IPv4Address) -> [UInt8] {
        var p = [UInt8](repeating: 0, count: 240)
        p[0] = 2; p[1] = 1; p[2] = 6
        p.replaceSubrange(4..<8, with: [UInt8(xid >> 24), UInt8(xid >> 16 & 0xFF), UInt8(xid >> 8 & 0xFF), UInt8(xid & 0xFF)])
        let y = yiaddr.bytes
        p.replaceSubrange(16..<20, with: [y.0, y.1, y.2, y.3])
        p.replaceSubrange(24..<28, with: [198, 18, 0, 2])
        p.replaceSubrange(28..<34, with: [2, 0, 0, 0, 0, 7])
        p.replaceSubrange(236..<240, with: [99, 130, 83, 99])
        p += [53, 1, 2, 54, 4, 198, 18, 0, 1, 51, 4, 0, 0, 14, 16, 58, 4, 0, 0, 7, 8, 59, 4, 0, 0, 12, 78,
              1, 4, 255, 192, 0, 0, 3, 4, 100, 64, 0, 1, 6, 4, 192, 0, 2, 53, 82, 3, 1, 1, 66, 255]
        return p + [UInt8](repeating: 0, count: 300 - p.count)
    }

    @Test("the reply parser reads every field of an OFFER")
    func parse() throws {
        let plan = BenchPlan(count: 10)
        let bytes = Self.offer(xid: 77, yiaddr: plan.ipv4(7))
        try bytes.withUnsafeBytes { b in
            let d = try #require(DHCPv4Reply(Array(b)))
            #expect(d.xid == 77 && d.messageType == 2 && d.yiaddr == plan.ipv4(7))
            #expect(d.serverIdentifier == IPv4Address(198, 18, 0, 1))
            #expect(d.leaseTime == 3600 && d.renewalTime == 1800 && d.rebindingTime == 3150)
            #expect(d.subnetMask == IPv4Address(255, 192, 0, 0) && d.routers == [BenchPlan.gateway] && d.dns == BenchPlan.dnsV4)
            #expect(d.relayAgentInformation == [1, 1, 66])
            #expect(d.optionCodes == [53, 54, 51, 58, 59, 1, 3, 6, 82])
            #expect(d.clientMAC == plan.mac(7))
            let exchange = V4Exchange(plan: plan, relay: Self.relay, fallbackServer: .any)
            let s = try #require(exchange.decode(b))
            #expect(exchange.step(of: s) == .first)
            #expect(exchange.verify(s, subscriber: 7) == .correct && exchange.verify(s, subscriber: 8) == .wrong)
        }
    }

    @Test("requests, short datagrams and overrunning options are not replies")
    func rejects() {
        let discover = written { V4RequestWriter(relay: Self.relay).discover(mac: MACAddress(value: 1), xid: 1, requested: nil, into: $0) }
        discover.withUnsafeBytes { #expect(V4ReplySummary($0) == nil) }
        Array(Self.offer(xid: 1, yiaddr: .any).prefix(239)).withUnsafeBytes { #expect(V4ReplySummary($0) == nil) }
        let overrun = Array(Self.offer(xid: 1, yiaddr: .any).prefix(240)) + [53, 1, 2, 6, 200, 1]
        overrun.withUnsafeBytes { #expect(V4ReplySummary($0) == nil) }
    }
}
