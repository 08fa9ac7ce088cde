import IPC
import ShadowCore
import Testing

/// The changes a commit carries from ops to the master: exact, strict decoding.
@Suite struct ChangeSetCodecTests {
    static let full = Reservation(
        ipv4: IPv4Address("192.0.2.10")!, ipv6NA: IPv6Address("2001:db8::10")!,
        ipv6PD: IPv6Prefix(address: IPv6Address("2001:db8:100::")!, prefixLength: 56),
        mac: MACAddress("00:11:22:33:44:55")!, duid: DUID(bytes: [0, 3, 0, 1, 0, 0x11, 0x22, 0x33, 0x44, 0x55]),
        option82: Option82(circuit: "eth0/1", remote: nil, subscriber: "subscriber ü"),
        option1837: Option1837(interface: "", remote: "r", enterpriseNumber: 9))
    static let bare = Reservation(ipv4: IPv4Address("192.0.2.11")!, ipv6NA: IPv6Address("2001:db8::11")!,
                                  ipv6PD: IPv6Prefix(address: IPv6Address("2001:db8:200::")!, prefixLength: 48),
                                  option82: Option82(remote: "only"))
    static let changes: [ResolvedChange] = [.add(full), .replace(IPv4Address("192.0.2.1")!, bare),
                                            .delete(IPv4Address("192.0.2.2")!)]

    static func decode(_ bytes: [UInt8], count: Int) throws(ByteReader.Failure) -> [ResolvedChange] {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(ByteReader.Failure) in try ChangeSetCodec.decode(raw, count: count) }
        }
        return try result.get()
    }

    @Test func roundTripsEveryField() throws {
        let bytes = ChangeSetCodec.encode(Self.changes)
        #expect(try Self.decode(bytes, count: 3) == Self.changes)
        // A delete is its tag and the address, little-endian.
        #expect(ChangeSetCodec.encode([.delete(IPv4Address("192.0.2.2")!)]) == [3, 2, 2, 0, 192])
    }

    /// Option levels travel with the record: lease times, codes, payloads and always_send flags.
    @Test func roundTripsOptionLevels() throws {
        var r = Self.bare
        r.optionsV4 = DHCPOptionSet(entries: [.init(code: 26, payload: [5, 0xDC], alwaysSend: true),
                                              .init(code: 119, payload: Array(repeating: 1, count: 300))], leaseTime: 86400)
        r.optionsV6 = DHCPOptionSet(entries: [], leaseTime: 0)
        let changes: [ResolvedChange] = [.add(r), .replace(IPv4Address("192.0.2.1")!, Self.full)]
        let bytes = ChangeSetCodec.encode(changes)
        #expect(try Self.decode(bytes, count: 2) == changes)
        for n in 0..<bytes.count {
            #expect(throws: ByteReader.Failure.self) { try Self.decode(Array(bytes.prefix(n)), count: 2) }
        }
    }

    /// Codes out of order would silently collapse in a set: they are refused.
    @Test func optionCodesMustAscend() {
        var r = Self.bare
        r.optionsV4 = DHCPOptionSet(entries: [.init(code: 26, payload: [5, 0xDC]), .init(code: 42, payload: [1, 2, 3, 4])])
        var bytes = ChangeSetCodec.encode([.add(r)])
        // The second entry's code (after the first entry's 2 + 1 + 2 + 2 bytes) becomes 26 again.
        let second = bytes.count - 4 - 2 - 1 - 2
        bytes[second] = 26
        #expect(throws: ByteReader.Failure.invalid(field: "option entry", offset: second)) { try Self.decode(bytes, count: 1) }
    }

    /// Every shorter prefix, a byte too many and the wrong count are refused.
    @Test func truncatedTrailingOrMiscountedIsRefused() {
        let bytes = ChangeSetCodec.encode(Self.changes)
        for n in 0..<bytes.count {
            #expect(throws: ByteReader.Failure.self) { try Self.decode(Array(bytes.prefix(n)), count: 3) }
        }
        #expect(throws: ByteReader.Failure.invalid(field: "trailing bytes", offset: bytes.count)) {
            try Self.decode(bytes + [0], count: 3)
        }
        #expect(throws: ByteReader.Failure.invalid(field: "trailing bytes", offset: bytes.count - 5)) {
            try Self.decode(bytes, count: 2)
        }
    }

    @Test(arguments: [
        // (offset to change, new byte, the error's field)
        (0, UInt8(4), "change tag"),
        (37, 129, "ipv6_pd prefix length"),   // the add's prefix length
        (38, 0x40, "record presence"),         // an undefined presence bit
        (45, 0, "duid length"),                // DUID length 0 (u16 at 45)
        (57, 0x08, "option82 presence"),
    ])
    func outOfRangeFieldsAreRefused(offset: Int, byte: UInt8, field: String) {
        var bytes = ChangeSetCodec.encode([.add(Self.full)])
        bytes[offset] = byte
        if field == "duid length" { bytes[offset + 1] = 0 }
        #expect(throws: ByteReader.Failure.invalid(field: field, offset: offset)) { try Self.decode(bytes, count: 1) }
    }

    @Test func textThatIsNotUTF8IsRefused() {
        var bytes = ChangeSetCodec.encode([.add(Self.bare)])
        // The Option 82 remote is the last field: its 4 bytes of text, preceded by a u32 length.
        bytes[bytes.count - 1] = 0xFF
        #expect(throws: ByteReader.Failure.invalid(field: "option82 remote", offset: bytes.count - 8)) {
            try Self.decode(bytes, count: 1)
        }
    }
}
