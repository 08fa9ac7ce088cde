import Testing
@testable import ShadowCore

/// A config.json of the minimal one's DNS settings and `members` (which give `subnets_v4`).
func ownConfig(_ members: String) -> ServerConfig? {
    switch loadConfig(#"{"dns_v4": ["192.0.2.53"], "dns_v6": ["2001:db8::53"], "# + members + "}") {
    case .success(let c): return c
    case .failure(let e): print(e.description); return nil
    }
}

/// The wire payloads of configured options, checked against the RFCs' own examples.
@Suite("Options: encoding")
struct OptionEncodingTests {
    /// The options_v4 level of a config.json whose top level is `options` (a JSON object).
    func v4(_ options: String) throws -> DHCPOptionSet {
        try #require(config(#""options_v4": \#(options)"#)).optionsV4
    }

    func v6(_ options: String) throws -> DHCPOptionSet {
        try #require(config(#""options_v6": \#(options)"#)).optionsV6
    }

    func bytes(_ s: String) -> [UInt8] {
        s.split(separator: " ").map { UInt8($0, radix: 16)! }
    }

    /// RFC 3397 section 3's example: "eng.apple.com." and "marketing.apple.com.", the second
    /// ending in a pointer to offset 4 ("apple.com").
    @Test func domainSearchIsCompressedAsRFC3397Shows() throws {
        let set = try v4(#"{"domain_search": ["eng.apple.com.", "marketing.apple.com"]}"#)
        let expected: [UInt8] = [3] + Array("eng".utf8) + [5] + Array("apple".utf8) + [3] + Array("com".utf8) + [0]
            + [9] + Array("marketing".utf8) + [0xC0, 0x04]
        #expect(set.entry(code: 119)?.payload == expected)
    }

    @Test func aRepeatedNameIsOnePointer() {
        let names = [["a", "example"], ["a", "example"]].map { $0.map { Array($0.utf8) } }
        #expect(DomainNameWire.encode(names, compress: true) == [1, 97, 7] + Array("example".utf8) + [0, 0xC0, 0x00])
    }

    /// RFC 8415 section 10: DHCPv6 domain lists are not compressed.
    @Test func dhcpv6DomainSearchIsUncompressed() throws {
        let set = try v6(#"{"domain_search": ["eng.apple.com", "marketing.apple.com"]}"#)
        let expected: [UInt8] = [3] + Array("eng".utf8) + [5] + Array("apple".utf8) + [3] + Array("com".utf8) + [0]
            + [9] + Array("marketing".utf8) + [5] + Array("apple".utf8) + [3] + Array("com".utf8) + [0]
        #expect(set.entry(code: 24)?.payload == expected)
    }

    @Test func domainNameHasNoTrailingNulOrDot() throws {
        #expect(try v4(#"{"domain_name": "isp.example."}"#).entry(code: 15)?.payload == Array("isp.example".utf8))
    }

    /// RFC 6334 section 3: the AFTR name in RFC 1035 form.
    @Test func aftrName() throws {
        let payload = try v6(#"{"aftr_name": "aftr.example.net"}"#).entry(code: 64)?.payload
        #expect(payload == [4] + Array("aftr".utf8) + [7] + Array("example".utf8) + [3] + Array("net".utf8) + [0])
    }

    /// RFC 3442 section 3's table of destination descriptors.
    @Test(arguments: [
        ("0.0.0.0/0", "00"),
        ("10.0.0.0/8", "08 0a"),
        ("10.0.0.0/24", "18 0a 00 00"),
        ("10.17.0.0/16", "10 0a 11"),
        ("10.27.129.0/24", "18 0a 1b 81"),
        ("10.229.0.128/25", "19 0a e5 00 80"),
        ("10.198.122.47/32", "20 0a c6 7a 2f"),
    ])
    func classlessRouteDescriptors(net: String, descriptor: String) throws {
        let set = try v4(#"{"classless_routes": [{"net": "\#(net)", "router": "192.0.2.1"}]}"#)
        #expect(set.entry(code: 121)?.payload == bytes(descriptor) + [192, 0, 2, 1])
        #expect(set.entry(code: 249) == nil)
    }

    @Test func msClasslessRoutesCopiesTheRoutesTo249() throws {
        let c = try #require(ownConfig(#"""
            "options_v4": {"ms_classless_routes": true, "classless_routes": [{"net": "10.0.0.0/8", "router": "192.0.2.1"}],
                           "always_send": ["classless_routes"]},
            "subnets_v4": [{"net": "198.51.100.0/24", "gateway": "198.51.100.1",
                            "options_v4": {"classless_routes": [{"net": "0.0.0.0/0", "router": "198.51.100.1"}]}}]
            """#))
        #expect(c.optionsV4.entry(code: 249) == DHCPOptionSet.Entry(code: 249, payload: bytes("08 0a c0 00 02 01"), alwaysSend: true))
        #expect(c.subnetsV4[0].options.entry(code: 249)?.payload == bytes("00 c6 33 64 01"))
    }

    /// RFC 5908 section 4: suboption 1 (NTP_SUBOPTION_SRV_ADDR), length 16, the address.
    @Test func ntpServersV6() throws {
        let payload = try v6(#"{"ntp_servers": ["2001:db8::123", "2001:db8::124"]}"#).entry(code: 56)?.payload
        let one: [UInt8] = [0, 1, 0, 16, 0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 10)
        #expect(payload == one + [0x01, 0x23] + one + [0x01, 0x24])
    }

    @Test func integersAndAddresses() throws {
        let set = try v4(#"{"mtu": 1492, "time_offset": -3600, "v6_only_preferred": 1800, "ntp_servers": ["192.0.2.123"],"#
                         + #" "routers": ["192.0.2.1", "192.0.2.2"], "dns_servers": ["192.0.2.53"]}"#)
        #expect(set.entry(code: 26)?.payload == [0x05, 0xD4])
        #expect(set.entry(code: 2)?.payload == [0xFF, 0xFF, 0xF1, 0xF0])
        #expect(set.entry(code: 108)?.payload == [0, 0, 0x07, 0x08])
        #expect(set.entry(code: 42)?.payload == [192, 0, 2, 123])
        #expect(set.entry(code: 3)?.payload == [192, 0, 2, 1, 192, 0, 2, 2])
        #expect(set.entry(code: 6)?.payload == [192, 0, 2, 53])
        let six = try v6(#"{"sol_max_rt": 3600, "inf_max_rt": 86400, "information_refresh_time": 600}"#)
        #expect(six.entry(code: 82)?.payload == [0, 0, 0x0E, 0x10])
        #expect(six.entry(code: 83)?.payload == [0, 1, 0x51, 0x80])
        #expect(six.entry(code: 32)?.payload == [0, 0, 0x02, 0x58])
    }

    /// RFC 3925 (125: enterprise, one-byte length, data per vendor), RFC 8415 21.17 (17), 43 and
    /// custom as hex with or without colons.
    @Test func vendorAndCustomHex() throws {
        let set = try v4(#"{"vendor_specific": "01:04:de:ad:be:ef", "vendor_identifying": [{"enterprise": 3561, "hex": "0102"},"#
                         + #" {"enterprise": 9, "hex": "ff"}], "custom": [{"code": 224, "hex": "0104DEADBEEF"}, {"code": 225, "hex": ""}]}"#)
        #expect(set.entry(code: 43)?.payload == [1, 4, 0xDE, 0xAD, 0xBE, 0xEF])
        #expect(set.entry(code: 125)?.payload == [0, 0, 0x0D, 0xE9, 2, 1, 2, 0, 0, 0, 9, 1, 0xFF])
        #expect(set.entry(code: 224)?.payload == [1, 4, 0xDE, 0xAD, 0xBE, 0xEF])
        #expect(set.entry(code: 225)?.payload == [])
        let six = try v6(#"{"vendor_opts": [{"enterprise": 3561, "hex": "00010002abcd"}], "custom": [{"code": 65000, "hex": "01"}]}"#)
        #expect(six.entry(code: 17)?.payload == [0, 0, 0x0D, 0xE9, 0, 1, 0, 2, 0xAB, 0xCD])
        #expect(six.entry(code: 65000)?.payload == [1])
    }

    @Test func tftpAndBootfileAreText() throws {
        let set = try v4(#"{"tftp_server": "tftp.example.net", "bootfile": "cpe/boot.cfg"}"#)
        #expect(set.entry(code: 66)?.payload == Array("tftp.example.net".utf8))
        #expect(set.entry(code: 67)?.payload == Array("cpe/boot.cfg".utf8))
    }

    @Test func alwaysSendMarksTheNamedEntriesOnly() throws {
        let set = try v4(#"{"mtu": 1500, "domain_name": "isp.example", "custom": [{"code": 224, "hex": "01"}], "always_send": ["mtu", 224]}"#)
        #expect(set.entry(code: 26)?.alwaysSend == true)
        #expect(set.entry(code: 224)?.alwaysSend == true)
        #expect(set.entry(code: 15)?.alwaysSend == false)
    }

    /// A value longer than 255 bytes is kept whole (the engine splits it per RFC 3396).
    @Test func longValuesStayWhole() throws {
        let names = (0..<30).map { #""host\#($0).subscribers.isp.example""# }.joined(separator: ", ")
        let set = try v4(#"{"domain_search": [\#(names)]}"#)
        #expect((set.entry(code: 119)?.payload.count ?? 0) > 255)
        #expect(DomainNameWire.decode(set.entry(code: 119)!.payload)?.count == 30)
    }

    @Test func lookupNamesTheWinningLevelKeyByKey() throws {
        let c = try #require(ownConfig(#"""
            "options_v4": {"mtu": 1500, "domain_name": "top.example", "always_send": ["mtu"]},
            "v4_lease_time": 600,
            "subnets_v4": [{"net": "198.51.100.0/24", "gateway": "198.51.100.1", "v4_lease_time": 7200,
                            "options_v4": {"domain_name": "subnet.example", "mtu": 1400}}]
            """#))
        var r = Reservation(ipv4: IPv4Address(198, 51, 100, 7), ipv6NA: .any, ipv6PD: IPv6Prefix(address: .any, prefixLength: 0))
        r.optionsV4 = DHCPOptionSet(entries: [.init(code: 15, payload: Array("vip.example".utf8))], leaseTime: 86400)
        let merged = EffectiveOptions.v4(r, c)
        #expect(merged.entry(code: 15)?.payload == Array("vip.example".utf8))
        #expect(merged.entry(code: 26) == DHCPOptionSet.Entry(code: 26, payload: [0x05, 0x78], alwaysSend: false))
        #expect(merged.leaseTime == 86400)
        r.optionsV4 = .empty
        #expect(EffectiveOptions.v4(r, c).leaseTime == 7200)
        r.ipv4 = IPv4Address(192, 0, 2, 9)
        #expect(EffectiveOptions.v4(r, c).leaseTime == 600)
        #expect(EffectiveOptions.v4(r, c).entry(code: 26)?.alwaysSend == true)
    }
}
