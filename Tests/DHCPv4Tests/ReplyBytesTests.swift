import DHCPv4
import ShadowCore
import Testing

/// Exact bytes on the wire, and the reply encoder's edges.
@Suite("Reply bytes")
struct ReplyBytesTests {
    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    @Test("An OFFER, byte for byte")
    func offerExactBytes() throws {
        var p = World.packet(.discover)
        p.xid = 0xDEAD_BEEF
        p.flags = 0x8000
        p.hops = 1
        p.secs = 9
        p.relayAgentInformation(circuit: "eth0")
        let expected = Self.hex("""
            02 01 06 00  de ad be ef  00 00 80 00
            00 00 00 00  c0 a8 01 64  00 00 00 00  c0 a8 01 fe
            00 11 22 33 44 55 00 00 00 00 00 00 00 00 00 00
            """) + [UInt8](repeating: 0, count: 192) + Self.hex("""
            63 82 53 63
            35 01 02
            36 04 0a 00 00 01
            33 04 00 00 0e 10
            3a 04 00 00 07 08
            3b 04 00 00 0c 4e
            01 04 ff ff ff 00
            03 04 c0 a8 01 01
            06 08 08 08 08 08 08 08 04 04
            52 06 01 04 65 74 68 30
            ff 00 00
            """)
        #expect(expected.count == 300)
        let reply = try #require(World.exchange(p).reply)
        #expect(reply.bytes == expected)
    }

    @Test("A NAK, byte for byte: yiaddr 0, broadcast bit, 53 54 82 only")
    func nakExactBytes() throws {
        var p = World.packet(.request)
        p.xid = 1
        p.requestedAddress(IPv4Address(192, 168, 1, 7))
        p.relayAgentInformation(remote: "r")
        let expected = Self.hex("02 01 06 00 00 00 00 01 00 00 80 00") + [UInt8](repeating: 0, count: 12)
            + Self.hex("c0 a8 01 fe 00 11 22 33 44 55") + [UInt8](repeating: 0, count: 10 + 192)
            + Self.hex("63 82 53 63 35 01 06 36 04 0a 00 00 01 52 03 02 01 72 ff")
        let padded = expected + [UInt8](repeating: 0, count: 300 - expected.count)
        #expect(try #require(World.exchange(p).reply).bytes == padded)
    }

    @Test("More than 63 DNS servers are split into several option-6 instances")
    func dnsSplit() throws {
        let dns = (0..<130).map { IPv4Address(10, 53, UInt8($0 / 256), UInt8($0 % 256)) }
        let r = try #require(World.exchange(World.packet(.discover), config: World.config(dns: dns)).reply)
        #expect(r.options.filter { $0.code == 6 }.map { $0.payload.count } == [252, 252, 16])
        #expect(r.dns == dns)
    }

    @Test("Infinite lease: 51, 58 and 59 all 0xFFFFFFFF")
    func infiniteLease() throws {
        let config = World.config(leases: LeaseTimes(v4Lease: LeaseTimes.infinite))
        let r = try #require(World.exchange(World.packet(.discover), config: config).reply)
        #expect([r.uint32(51), r.uint32(58), r.uint32(59)] == [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF])
    }

    @Test("A buffer too small fails soft with EncodeFailed; the event keeps the reservation",
          arguments: [0, 100, 299])
    func encodeFailsSoft(size: Int) {
        let x = World.exchange(World.packet(.discover), bufferSize: size)
        #expect(x.reason == .encodeFailed)
        #expect(x.outcome.event.success == false)
        #expect(x.outcome.event.reservation?.ipv4 == World.addressA)
        #expect(x.outcome.event.match?.method == .mac)
    }

    @Test("A reply needs exactly its length: 300 bytes is enough")
    func exactBuffer() {
        #expect(World.exchange(World.packet(.discover), bufferSize: 300).type == .offer)
    }

    @Test("chaddr: hlen bytes copied, the rest zero; htype 1 whatever the request said")
    func chaddrCopy() throws {
        var p = World.packet(.discover)
        p.chaddr = World.macA.bytes + [9, 9, 9, 9]
        p.htype = 6
        let r = try #require(World.exchange(p).reply)
        #expect(r.chaddrField == World.macA.bytes + [UInt8](repeating: 0, count: 10))
        #expect(r.htype == 1 && r.hlen == 6 && r.secs == 0 && r.siaddr == .any)
    }
}
