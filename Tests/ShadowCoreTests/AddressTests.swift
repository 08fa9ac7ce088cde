import Testing
@testable import ShadowCore

@Suite("IPv4 and IPv6 addresses")
struct AddressTests {
    @Test(arguments: ["0.0.0.0", "192.0.2.1", "255.255.255.255", "10.0.0.1", "198.51.100.200"])
    func ipv4RoundTrip(_ text: String) throws {
        let a = try #require(IPv4Address(text))
        #expect(a.description == text)
    }

    @Test(arguments: ["192.168.01.1", "256.1.1.1", "1.2.3", "1.2.3.4.5", "", "1..2.3", "a.b.c.d", " 1.2.3.4", "1.2.3.4/24", "-1.2.3.4"])
    func ipv4Rejects(_ text: String) {
        #expect(IPv4Address(text) == nil)
    }

    @Test func ipv4Network() throws {
        let n = try #require(IPv4Network("198.51.100.77/24"))
        #expect(n.network == IPv4Address(198, 51, 100, 0))
        #expect(n.mask == IPv4Address(255, 255, 255, 0))
        #expect(n.contains(IPv4Address(198, 51, 100, 1)))
        #expect(!n.contains(IPv4Address(198, 51, 101, 1)))
        #expect(n.description == "198.51.100.77/24")
        #expect(IPv4Network("198.51.100.0") == nil)
        #expect(IPv4Network("198.51.100.0/33") == nil)
        #expect(IPv4Network("198.51.100.0/024") == nil)
        #expect(IPv4Network("0.0.0.0/0")?.contains(IPv4Address(203, 0, 113, 9)) == true)
    }

    @Test(arguments: [(24, "255.255.255.0"), (16, "255.255.0.0"), (32, "255.255.255.255"),
                      (30, "255.255.255.252"), (0, "0.0.0.0")])
    func netmask(_ len: Int, _ mask: String) {
        #expect(IPv4Network.mask(prefixLength: UInt8(len)).description == mask)
    }

    @Test(arguments: [
        ("2001:db8::1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("::", "::"),
        ("::1", "::1"),
        ("fe80::a55:31ff:fe8f:1998", "fe80::a55:31ff:fe8f:1998"),
        ("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
        ("1::", "1::"),
    ])
    func ipv6Format(_ input: String, _ canonical: String) throws {
        let a = try #require(IPv6Address(input))
        #expect(a.description == canonical)
        #expect(IPv6Address(canonical) == a)
    }

    @Test(arguments: ["", ":", ":::", "1::2::3", "12345::", "fe80::1%eth0", "1:2:3:4:5:6:7:8:9",
                      "1:2:3:4:5:6:7", "g::1", "::1.2.3", "1.2.3.4::", "2001:db8::/56"])
    func ipv6Rejects(_ text: String) {
        #expect(IPv6Address(text) == nil)
    }

    @Test func ipv6Bytes() throws {
        let a = try #require(IPv6Address("fe80::21a:2bff:fe3c:4d5e"))
        #expect(IPv6Address(networkBytes: a.bytes) == a)
        #expect(a[byte: 0] == 0xFE && a[byte: 11] == 0xFF && a[byte: 15] == 0x5E)
        #expect(a.isLinkLocal)
        #expect(!(IPv6Address("2001:db8::1")!.isLinkLocal))
    }

    @Test func ipv6PrefixMasking() throws {
        let p = try #require(IPv6Prefix("2001:db8:1:3::/56"))
        #expect(p.hasHostBits)
        #expect(p.masked.description == "2001:db8:1::/56")
        let clean = try #require(IPv6Prefix("2001:db8:100::/56"))
        #expect(!clean.hasHostBits)
        #expect(IPv6Prefix("2001:db8::1/128")?.hasHostBits == false)
        #expect(IPv6Prefix("2001:db8::1/0")?.network == .any)
        #expect(IPv6Prefix("2001:db8::/129") == nil)
        #expect(IPv6Prefix("2001:db8::") == nil)
        #expect(IPv6Prefix("2001:db8:8000::/33")?.hasHostBits == false)
        #expect(IPv6Prefix("2001:db8:8000::/32")?.hasHostBits == true)
    }

    @Test(arguments: [
        ("2001:db8:1::/48", "2001:db8:1:ffff::1", true), ("2001:db8:1::/48", "2001:db8:2::1", false),
        ("2001:db8::/32", "2001:db9::", false), ("2001:db8::1/128", "2001:db8::1", true),
        ("2001:db8::1/128", "2001:db8::2", false), ("::/0", "2001:db8::5", true),
        ("2001:db8::8000:0/97", "2001:db8::ffff:1", true), ("2001:db8::8000:0/97", "2001:db8::7fff:1", false),
        ("2001:db8:1:3::/56", "2001:db8:1:ff::", true), // host bits of the written prefix do not matter
    ])
    func ipv6PrefixContains(prefix: String, address: String, expected: Bool) throws {
        let p = try #require(IPv6Prefix(prefix))
        let a = try #require(IPv6Address(address))
        #expect(p.contains(a) == expected)
    }

    @Test func socketAddresses() {
        #expect(SocketAddress("127.0.0.1:8547") == .v4(IPv4Address(127, 0, 0, 1), port: 8547))
        #expect(SocketAddress("[::1]:547") == .v6(.loopback, port: 547))
        #expect(SocketAddress("[::1]:547")?.description == "[::1]:547")
        #expect(SocketAddress("127.0.0.53:8547")?.isLoopback == true)
        #expect(SocketAddress("192.0.2.10:8547")?.isLoopback == false)
        #expect(SocketAddress("[2001:db8::1]:8547")?.isLoopback == false)
        #expect(SocketAddress("0.0.0.0:8547")?.isLoopback == false)
        for bad in ["127.0.0.1", "127.0.0.1:", "127.0.0.1:70000", "::1:547", "[::1]547", "[::1]:", "localhost:80"] {
            #expect(SocketAddress(bad) == nil, "\(bad)")
        }
    }
}
