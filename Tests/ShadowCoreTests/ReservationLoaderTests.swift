import Testing
@testable import ShadowCore

@Suite("reservations.json: accepted files")
struct ReservationAcceptTests {
    @Test func appendixBExample() throws {
        let text = """
            [
              {"ipv4": "198.51.100.10", "ipv6_na": "2001:db8:1::10", "ipv6_pd": "2001:db8:100::/56",
               "mac": "00-11-22-33-44-55"},
              {"ipv4": "198.51.100.11", "ipv6_na": "2001:db8:1::11", "ipv6_pd": "2001:db8:101::/56",
               "option82": {"remote": "AA-BB-CC-DD-EE-FF"}},
              {"ipv4": "198.51.100.12", "ipv6_na": "2001:db8:1::12", "ipv6_pd": "2001:db8:102::/56",
               "duid": "00:03:00:01:00:11:22:33:44:66", "option82": {"circuit": "eth1:100", "remote": "olt-7"}},
              {"ipv4": "198.51.100.13", "ipv6_na": "2001:db8:1::13", "ipv6_pd": "2001:db8:103::/56",
               "mac": "00-11-22-33-44-77", "option1837": {"interface": "ge-0/0/1.100", "remote": "sub-13", "enterprise_number": 4874}}
            ]
            """
        let loaded = try loadReservations(text).get()
        #expect(loaded.warnings.isEmpty)
        #expect(loaded.value == [
            Reservation(ipv4: IPv4Address(198, 51, 100, 10), ipv6NA: IPv6Address("2001:db8:1::10")!,
                        ipv6PD: IPv6Prefix("2001:db8:100::/56")!, mac: MACAddress("00-11-22-33-44-55")),
            Reservation(ipv4: IPv4Address(198, 51, 100, 11), ipv6NA: IPv6Address("2001:db8:1::11")!,
                        ipv6PD: IPv6Prefix("2001:db8:101::/56")!, option82: Option82(remote: "AA-BB-CC-DD-EE-FF")),
            Reservation(ipv4: IPv4Address(198, 51, 100, 12), ipv6NA: IPv6Address("2001:db8:1::12")!,
                        ipv6PD: IPv6Prefix("2001:db8:102::/56")!, duid: DUID("00:03:00:01:00:11:22:33:44:66"),
                        option82: Option82(circuit: "eth1:100", remote: "olt-7")),
            Reservation(ipv4: IPv4Address(198, 51, 100, 13), ipv6NA: IPv6Address("2001:db8:1::13")!,
                        ipv6PD: IPv6Prefix("2001:db8:103::/56")!, mac: MACAddress("00-11-22-33-44-77"),
                        option1837: Option1837(interface: "ge-0/0/1.100", remote: "sub-13", enterpriseNumber: 4874)),
        ])
    }

    @Test func emptyArray() throws {
        #expect(try loadReservations(" [ ] \n").get().value.isEmpty)
    }

    @Test("every accepted spelling", arguments: [
        ("mac", "001122334455", "00-11-22-33-44-55"),
        ("mac", "0x001122334455", "00-11-22-33-44-55"),
        ("mac", "00:11:22:33:44:aa", "00-11-22-33-44-AA"),
        ("mac", "0011.2233.44Ff", "00-11-22-33-44-FF"),
        ("mac", #"00\u002d11-22-33-44-55"#, "00-11-22-33-44-55"),
        ("duid", "00-03-00-01-AA-BB", "00:03:00:01:aa:bb"),
        ("duid", " 00:1:0a:00b ", "00:01:0a:0b"),
        ("ipv6_na", "2001:0DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("ipv6_na", "::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("ipv6_na", "64:ff9b::192.0.2.1", "64:ff9b::c000:201"),
        ("ipv6_na", "::", "::"),
        ("ipv6_na", "1::", "1::"),
        ("ipv6_pd", "2001:DB8:ABCD::/48", "2001:db8:abcd::/48"),
        ("ipv6_pd", "8000::/1", "8000::/1"),
        ("ipv6_pd", "2001:db8::1/128", "2001:db8::1/128"),
    ])
    func spellings(_ field: String, _ value: String, _ expected: String) throws {
        var members = ["ipv4": "198.51.100.5", "ipv6_na": "2001:db8:1::5", "ipv6_pd": "2001:db8:105::/56",
                       "mac": "00-00-00-00-00-01"]
        members[field] = value
        let text = "[{" + members.map { #""\#($0.key)": "\#($0.value)""# }.joined(separator: ", ") + "}]"
        let r = try #require(try? loadReservations(text).get().value.first)
        #expect(r.text(field) == expected)
    }

    @Test func nullOptionalFieldsAreOmitted() throws {
        let text = "[" + entry(5, #""mac": "00-00-00-00-00-01", "duid": null, "option82": null, "option1837": null"#) + "]"
        let r = try #require(try? loadReservations(text).get().value.first)
        #expect(r.duid == nil && r.option82 == nil && r.option1837 == nil)
    }

    @Test func nullMembersInsideRelayObjects() throws {
        let text = "[" + entry(5, #""option82": {"circuit": null, "remote": "r", "subscriber": null}, "option1837": {"interface": "i", "remote": null, "enterprise_number": null}"#) + "]"
        let r = try #require(try? loadReservations(text).get().value.first)
        #expect(r.option82 == Option82(remote: "r"))
        #expect(r.option1837 == Option1837(interface: "i"))
    }

    @Test func escapedStringsAndUnicodeInKeys() throws {
        let text = "[" + entry(5, #""option82": {"rem\u006fte": "caf\u00e9 \ud83d\ude00", "circuit": "a\"b"}"#) + "]"
        let r = try #require(try? loadReservations(text).get().value.first)
        #expect(r.option82 == Option82(circuit: "a\"b", remote: "café 😀"))
    }
}

extension Reservation {
    /// One field as text: `mac`, `duid`, `na` or `pd`.
    func text(_ field: String) -> String {
        switch field {
        case "mac": mac.map(\.description) ?? ""
        case "duid": duid.map(\.description) ?? ""
        case "ipv6_na": ipv6NA.description
        default: ipv6PD.description
        }
    }
}
