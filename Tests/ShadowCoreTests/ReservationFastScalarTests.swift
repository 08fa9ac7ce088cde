import Testing
@testable import ShadowCore

/// The loader's byte-level parsers must agree with the model's parsers whenever they answer.
@Suite("Reservation scalar fast paths agree with the model")
struct ReservationFastScalarTests {
    static func fast<T>(_ s: String, _ parse: (UnsafeRawBufferPointer) -> T?) -> T? {
        Array(s.utf8).withUnsafeBytes { parse($0) }
    }

    @Test("IPv4", arguments: [
        "0.0.0.0", "1.2.3.4", "255.255.255.255", "198.51.100.9", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5",
        "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4 ", "1.2.3.-4", "1000.1.1.1", "00.1.1.1", "0.0.0.00", "", "a.b.c.d",
    ])
    func ipv4(_ s: String) {
        let f = Self.fast(s, FastScalars.ipv4)
        if let f { #expect(f == IPv4Address(s)) }
        #expect((f != nil) == (IPv4Address(s) != nil))
    }

    @Test("IPv6", arguments: [
        "::", "::1", "1::", "1::2", "2001:db8::1", "2001:DB8:0:0:0:0:0:1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::",
        "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1::2::3", ":1::2", "1::2:", ":::", "12345::",
        "g::", "1:2:3:4:5:6::7:8", "fe80::1%eth0", "::ffff:1.2.3.4", "0000:0000::0001", "2001:db8:0:0:1:0:0:1",
        "1:", ":", "", "ab:cd:ef:01:23:45:67:89",
    ])
    func ipv6(_ s: String) {
        let f = Self.fast(s, FastScalars.ipv6)
        if let f { #expect(f == IPv6Address(s)) }
        if !s.contains(".") { #expect((f != nil) == (IPv6Address(s) != nil)) }
    }

    /// Every split of up to eight groups around `::` (and none), groups of one to four digits.
    @Test func ipv6EveryGapPlacement() {
        let groups = ["0", "1", "ab", "FFFF", "8000", "0db8", "7", "c0a8"]
        for count in 0...8 {
            for gapAt in -1...count {
                for width in 0..<4 {
                    let g = (0..<count).map { i in String(groups[(i + width) % groups.count].suffix(max(1, width + 1))) }
                    let s = gapAt < 0 ? g.joined(separator: ":")
                        : g[..<gapAt].joined(separator: ":") + "::" + g[gapAt...].joined(separator: ":")
                    let f = Self.fast(s, FastScalars.ipv6)
                    #expect(f == IPv6Address(s), "\(s)")
                }
            }
        }
    }

    @Test("IPv6 prefix", arguments: [
        "::/0", "2001:db8::/32", "2001:db8:1:3::/56", "2001:db8::1/128", "2001:db8::/129", "2001:db8::/056",
        "2001:db8::/", "2001:db8::", "/56", "2001:db8::/5a", "::ffff:1.2.3.4/120",
    ])
    func prefix(_ s: String) {
        let f = Self.fast(s, FastScalars.ipv6Prefix)
        if let f { #expect(f == IPv6Prefix(s)) }
        if !s.contains(".") { #expect((f != nil) == (IPv6Prefix(s) != nil)) }
    }

    @Test("MAC", arguments: [
        "001122334455", "00-11-22-33-44-55", "00:11:22:33:44:55", "aa:BB:cc:DD:ee:FF", "00-11:22-33-44-55",
        "0011223344", "00112233445g", "00-11-22-33-44-5g", "00.11.22.33.44.55", "0x001122334455", "0011.2233.4455",
    ])
    func mac(_ s: String) {
        let f = Self.fast(s, FastScalars.mac)
        if let f { #expect(f == MACAddress(s)) }
        if s.count == 12 || s.count == 17 { #expect((f != nil) == (MACAddress(s) != nil)) }
    }

    @Test("DUID", arguments: [
        "00:01", "00-01-02", "00:03:00:01:aa:bb:cc:dd:ee:ff", "AA:BB", "00:1", "0:01", "00:01:", "00-01:02",
        " 00:01", "00:0g", String(repeating: "00:", count: 130) + "00", String(repeating: "00:", count: 129) + "00",
    ])
    func duid(_ s: String) {
        let f = Self.fast(s, FastScalars.duid)
        if let f { #expect(f == DUID(s)) }
    }
}
