import Testing
@testable import ShadowCore

@Suite("reservations.json: one fixture per rule")
struct ReservationValidationTests {
    static let macFormats = "00-11-22-33-44-55, 00:11:22:33:44:55, 001122334455, 0x001122334455 or 0011.2233.4455"

    @Test("field values", arguments: [
        // Missing required fields (null counts as missing).
        (#"{"ipv6_na": "2001:db8::1", "ipv6_pd": "2001:db8:ff::/56", "mac": "001122334455"}"#,
         ["reservations.json[1].ipv4: missing required field"]),
        (#"{"ipv4": "198.51.100.9", "ipv6_na": null, "ipv6_pd": "2001:db8:ff::/56", "mac": "001122334455"}"#,
         ["reservations.json[1].ipv6_na: missing required field"]),
        (#"{"ipv4": "198.51.100.9", "ipv6_na": "2001:db8::1", "mac": "001122334455"}"#,
         ["reservations.json[1].ipv6_pd: missing required field"]),
        // Unparsable scalars.
        (#"{"ipv4": "198.51.100.09", "ipv6_na": "2001:db8::1", "ipv6_pd": "2001:db8:ff::/56", "mac": "001122334455"}"#,
         [#"reservations.json[1].ipv4: invalid IPv4 address "198.51.100.09"; expected a dotted quad such as 192.0.2.1, without leading zeros"#]),
        (#"{"ipv4": 3325256713, "ipv6_na": "2001:db8::1", "ipv6_pd": "2001:db8:ff::/56", "mac": "001122334455"}"#,
         ["reservations.json[1].ipv4: expected a string, got a number"]),
        (#"{"ipv4": "198.51.100.9", "ipv6_na": "fe80::1%eth0", "ipv6_pd": "2001:db8:ff::/56", "mac": "001122334455"}"#,
         [#"reservations.json[1].ipv6_na: invalid IPv6 address "fe80::1%eth0"; expected an address such as 2001:db8::1, without zone"#]),
        (#"{"ipv4": "198.51.100.9", "ipv6_na": "2001:db8::1::2", "ipv6_pd": "2001:db8:ff::/56", "mac": "001122334455"}"#,
         [#"reservations.json[1].ipv6_na: invalid IPv6 address "2001:db8::1::2"; expected an address such as 2001:db8::1, without zone"#]),
        (#"{"ipv4": "198.51.100.9", "ipv6_na": "2001:db8::1", "ipv6_pd": "2001:db8:1::", "mac": "001122334455"}"#,
         [#"reservations.json[1].ipv6_pd: invalid IPv6 prefix "2001:db8:1::"; expected addr/len with len 0-128, such as 2001:db8:100::/56"#]),
        (#"{"ipv4": "198.51.100.9", "ipv6_na": "2001:db8::1", "ipv6_pd": "2001:db8:1::/129", "mac": "001122334455"}"#,
         [#"reservations.json[1].ipv6_pd: invalid IPv6 prefix "2001:db8:1::/129"; expected addr/len with len 0-128, such as 2001:db8:100::/56"#]),
        (#"{"ipv4": "198.51.100.9", "ipv6_na": "2001:db8::1", "ipv6_pd": "2001:db8:ff::/56", "mac": "00-11:22-33-44-55"}"#,
         [#"reservations.json[1].mac: invalid MAC address "00-11:22-33-44-55"; expected \#(macFormats)"#]),
        (#"{"ipv4": "198.51.100.9", "ipv6_na": "2001:db8::1", "ipv6_pd": "2001:db8:ff::/56", "mac": "0X001122334455"}"#,
         [#"reservations.json[1].mac: invalid MAC address "0X001122334455"; expected \#(macFormats)"#]),
        (#"{"ipv4": "198.51.100.9", "ipv6_na": "2001:db8::1", "ipv6_pd": "2001:db8:ff::/56", "mac": " 001122334455"}"#,
         [#"reservations.json[1].mac: invalid MAC address " 001122334455"; expected \#(macFormats)"#]),
        (#"{"ipv4": "198.51.100.9", "ipv6_na": "2001:db8::1", "ipv6_pd": "2001:db8:ff::/56", "duid": "0:03:00"}"#,
         [#"reservations.json[1].duid: Invalid DUID format "0:03:00"; expected hex bytes separated by ':' or '-', such as 00:03:00:01:00:11:22:33:44:55"#]),
        (#"{"ipv4": "198.51.100.9", "ipv6_na": "2001:db8::1", "ipv6_pd": "2001:db8:ff::/56", "mac": "001122334455", "duid": "00:1g"}"#,
         [#"reservations.json[1].duid: Invalid DUID format "00:1g"; expected hex bytes separated by ':' or '-', such as 00:03:00:01:00:11:22:33:44:55"#]),
        // Relay objects: member types and ranges.
        (#"{"ipv4": "198.51.100.9", "ipv6_na": "2001:db8::1", "ipv6_pd": "2001:db8:ff::/56", "option82": {"remote": 7}}"#,
         ["reservations.json[1].option82.remote: expected a string, got a number"]),
        (#"{"ipv4": "198.51.100.9", "ipv6_na": "2001:db8::1", "ipv6_pd": "2001:db8:ff::/56", "option82": "remote"}"#,
         ["reservations.json[1].option82: expected an object, got a string"]),
        (#"{"ipv4": "198.51.100.9", "ipv6_na": "2001:db8::1", "ipv6_pd": "2001:db8:ff::/56", "mac": "001122334455", "option1837": {"interface": ["x"]}}"#,
         ["reservations.json[1].option1837.interface: expected a string, got an array"]),
        (#"{"ipv4": "198.51.100.9", "ipv6_na": "2001:db8::1", "ipv6_pd": "2001:db8:ff::/56", "mac": "001122334455", "option1837": {"remote": "r", "enterprise_number": 4294967296}}"#,
         ["reservations.json[1].option1837.enterprise_number: must be between 0 and 4294967295, got 4294967296"]),
        (#"{"ipv4": "198.51.100.9", "ipv6_na": "2001:db8::1", "ipv6_pd": "2001:db8:ff::/56", "mac": "001122334455", "option1837": {"remote": "r", "enterprise_number": -1}}"#,
         ["reservations.json[1].option1837.enterprise_number: must be between 0 and 4294967295, got -1"]),
        (#"{"ipv4": "198.51.100.9", "ipv6_na": "2001:db8::1", "ipv6_pd": "2001:db8:ff::/56", "mac": "001122334455", "option1837": {"remote": "r", "enterprise_number": 9.5}}"#,
         ["reservations.json[1].option1837.enterprise_number: expected an integer, got 9.5"]),
        (#"{"ipv4": "198.51.100.9", "ipv6_na": "2001:db8::1", "ipv6_pd": "2001:db8:ff::/56", "mac": "001122334455", "option1837": {"remote": "r", "enterprise_number": "9"}}"#,
         ["reservations.json[1].option1837.enterprise_number: expected an integer, got a string"]),
    ])
    func values(_ second: String, _ expected: [String]) {
        #expect(reservationErrors(array(entry(8), second)) == expected)
    }

    @Test("unknown and repeated fields", arguments: [
        (entry(9, #""mac": "001122334455", "ipv6": "2001:db8::1""#),
         "reservations.json[1].ipv6: unknown field; allowed: ipv4, ipv6_na, ipv6_pd, mac, duid, option82, option1837, v4_lease_time, options_v4, v6_lease_time, options_v6"),
        (entry(9, #""mac": "00-00-00-00-00-09", "MAC": "001122334455""#),
         "reservations.json[1].MAC: unknown field; allowed: ipv4, ipv6_na, ipv6_pd, mac, duid, option82, option1837, v4_lease_time, options_v4, v6_lease_time, options_v6"),
        (entry(9, #""option82": {"remote": "r", "agent": "a"}"#),
         "reservations.json[1].option82.agent: unknown field; allowed: circuit, remote, subscriber"),
        (entry(9, #""mac": "001122334455", "option1837": {"remote": "r", "enterprise": 1}"#),
         "reservations.json[1].option1837.enterprise: unknown field; allowed: interface, remote, enterprise_number"),
        (entry(9, #""mac": "001122334455", "mac": "001122334466""#), "reservations.json[1].mac: duplicate field"),
        (entry(9, #""option82": {"remote": "r", "remote": "s"}"#), "reservations.json[1].option82.remote: duplicate field"),
        (entry(9, #""mac": null, "mac": "001122334466""#), "reservations.json[1].mac: duplicate field"),
        (entry(9, #""option82": {"remote": null, "remote": "s"}"#), "reservations.json[1].option82.remote: duplicate field"),
    ])
    func unknownFields(_ second: String, _ message: String) {
        #expect(reservationErrors(array(entry(8), second)) == [message])
    }

    @Test("keys that can never match", arguments: [
        (entry(9, ""), "reservations.json[1]: no key, so it can never match; give at least one of mac, duid, option82, option1837"),
        (entry(9, #""mac": null, "option82": null"#),
         "reservations.json[1]: no key, so it can never match; give at least one of mac, duid, option82, option1837"),
        (entry(9, #""option82": {"remote": ""}"#),
         "reservations.json[1].option82.remote: an empty string can never match (relays do not send empty sub-options)"),
        (entry(9, #""option82": {"circuit": "c", "subscriber": ""}"#),
         "reservations.json[1].option82.subscriber: an empty string can never match (relays do not send empty sub-options)"),
        (entry(9, #""option82": {}"#),
         "reservations.json[1].option82: an empty object can never match; give at least one of circuit, remote, subscriber"),
        (entry(9, #""option82": {"circuit": null, "remote": null, "subscriber": null}"#),
         "reservations.json[1].option82: an empty object can never match; give at least one of circuit, remote, subscriber"),
        (entry(9, #""mac": "001122334455", "option1837": {"interface": ""}"#),
         "reservations.json[1].option1837.interface: an empty string can never match"),
        (entry(9, #""mac": "001122334455", "option1837": {}"#),
         "reservations.json[1].option1837: can never match without interface or remote; give at least one of them"),
        (entry(9, #""mac": "001122334455", "option1837": {"enterprise_number": 9}"#),
         "reservations.json[1].option1837: can never match without interface or remote; give at least one of them"),
        (entry(9, #""mac": "001122334455", "option1837": {"interface": "i", "enterprise_number": 9}"#),
         "reservations.json[1].option1837: enterprise_number without remote can never match (the enterprise number travels in option 37 with the remote-id)"),
    ])
    func neverMatching(_ second: String, _ message: String) {
        #expect(reservationErrors(array(entry(8), second)) == [message])
    }

    @Test("the same key or address twice", arguments: [
        (entry(9, #""mac": "00:00:00:00:00:01""#),
         "reservations.json[1].mac: 00-00-00-00-00-01 already used by reservations.json[0]"),
        (entry(9, #""duid": "00-03-00-01-AA-BB", "mac": "00-00-00-00-00-09""#),
         "reservations.json[1].duid: 00:03:00:01:aa:bb already used by reservations.json[0]"),
        (entry(9, #""option82": {"remote": "r", "circuit": "c"}"#),
         #"reservations.json[1].option82: {"circuit":"c","remote":"r"} already used by reservations.json[0]"#),
        (entry(9, #""mac": "00-00-00-00-00-09", "option1837": {"remote": "r", "enterprise_number": 0}"#),
         #"reservations.json[1].option1837: {"remote":"r","enterprise_number":0} already used by reservations.json[0]"#),
        (#"{"ipv4": "198.51.100.8", "ipv6_na": "2001:db8:1::9", "ipv6_pd": "2001:db8:109::/56", "mac": "00-00-00-00-00-09"}"#,
         "reservations.json[1].ipv4: 198.51.100.8 already used by reservations.json[0]"),
        (#"{"ipv4": "198.51.100.9", "ipv6_na": "2001:db8:1:0::8", "ipv6_pd": "2001:db8:109::/56", "mac": "00-00-00-00-00-09"}"#,
         "reservations.json[1].ipv6_na: 2001:db8:1::8 already used by reservations.json[0]"),
        (#"{"ipv4": "198.51.100.9", "ipv6_na": "2001:db8:1::9", "ipv6_pd": "2001:db8:108::/56", "mac": "00-00-00-00-00-09"}"#,
         "reservations.json[1].ipv6_pd: 2001:db8:108::/56 already used by reservations.json[0]"),
    ])
    func duplicates(_ second: String, _ message: String) {
        let first = entry(8, #""mac": "00-00-00-00-00-01", "duid": "00:03:00:01:aa:bb", "option82": {"circuit": "c", "remote": "r"}, "option1837": {"remote": "r", "enterprise_number": 0}"#)
        #expect(reservationErrors(array(first, second)) == [message])
    }

    @Test func differentTriplesAreDifferentKeys() {
        let text = array(entry(1, #""option82": {"remote": "r"}"#), entry(2, #""option82": {"remote": "r", "circuit": "c"}"#),
                         entry(3, #""option82": {"circuit": "r"}"#), entry(4, #""option82": {"remote": "R"}"#),
                         entry(5, #""mac": "00-00-00-00-00-05", "option1837": {"remote": "r"}"#),
                         entry(6, #""mac": "00-00-00-00-00-06", "option1837": {"remote": "r", "enterprise_number": 1}"#))
        #expect(reservationProblems(text) == ([], []))
    }

    @Test func maskedPrefixesCollide() {
        let text = array(entry(1, #""mac": "00-00-00-00-00-01""#),
                         #"{"ipv4": "198.51.100.2", "ipv6_na": "2001:db8:1::2", "ipv6_pd": "2001:db8:101:ff::/56", "mac": "00-00-00-00-00-02"}"#)
        #expect(reservationProblems(text) == (
            ["reservations.json[1].ipv6_pd: 2001:db8:101::/56 already used by reservations.json[0]"],
            ["reservations.json[1].ipv6_pd: 2001:db8:101:ff::/56 has host bits set; using 2001:db8:101::/56"]))
    }

    @Test func everyLaterDuplicateNamesTheFirst() {
        let text = array(entry(1), entry(2), entry(3))
        #expect(reservationErrors(text) == [
            "reservations.json[1].mac: 00-00-00-00-00-01 already used by reservations.json[0]",
            "reservations.json[2].mac: 00-00-00-00-00-01 already used by reservations.json[0]",
        ])
    }

    @Test func addressOutsideEverySubnet() {
        let text = array(#"{"ipv4": "203.0.113.200", "ipv6_na": "2001:db8::1", "ipv6_pd": "2001:db8:ff::/56", "mac": "001122334455"}"#,
                         #"{"ipv4": "203.0.113.127", "ipv6_na": "2001:db8::2", "ipv6_pd": "2001:db8:2::/56", "mac": "001122334456"}"#)
        #expect(reservationErrors(text) == [
            "reservations.json[0].ipv4: 203.0.113.200 is not inside any subnets_v4 net",
            "reservations.json[1].ipv4: 203.0.113.127 is the broadcast address of subnets_v4[1] (203.0.113.0/25)",
        ])
    }

    @Test func noSubnetsRejectsEveryAddress() throws {
        let text = array(entry(1))
        let result = Result { () throws(LoadError) in try ReservationLoader.load(Array(text.utf8), subnets: []) }
        guard case .failure(let e) = result else { Issue.record("loaded"); return }
        #expect(e.errors.lines == ["reservations.json[0].ipv4: 198.51.100.1 is not inside any subnets_v4 net"])
    }
}

@Suite("reservations.json: warnings")
struct ReservationWarningTests {
    @Test func onlyDHCPv6Keys() throws {
        let text = array(entry(1, #""duid": "00:01:02""#), entry(2, #""option1837": {"interface": "i"}"#),
                         entry(3, #""duid": "00:01:03", "mac": "00-00-00-00-00-03""#))
        let loaded = try loadReservations(text).get()
        #expect(loaded.value.count == 3)
        #expect(loaded.warnings.lines == [
            "reservations.json[0]: only DHCPv6 keys (duid, option1837): not reachable over DHCPv4",
            "reservations.json[1]: only DHCPv6 keys (duid, option1837): not reachable over DHCPv4",
        ])
    }

    @Test func prefixHostBitsAreMasked() throws {
        let text = array(#"{"ipv4": "198.51.100.3", "ipv6_na": "2001:db8::1", "ipv6_pd": "2001:db8:1:3::/56", "mac": "001122334455"}"#)
        let loaded = try loadReservations(text).get()
        #expect(loaded.value.first?.ipv6PD == IPv6Prefix("2001:db8:1::/56"))
        #expect(loaded.warnings.lines == ["reservations.json[0].ipv6_pd: 2001:db8:1:3::/56 has host bits set; using 2001:db8:1::/56"])
    }

    @Test func warningsComeBackWithErrorsToo() {
        let text = array(entry(1, #""duid": "00:01:02""#), entry(2, ""))
        #expect(reservationProblems(text) == (
            ["reservations.json[1]: no key, so it can never match; give at least one of mac, duid, option82, option1837"],
            ["reservations.json[0]: only DHCPv6 keys (duid, option1837): not reachable over DHCPv4"]))
    }
}

/// ``ReservationLoader/validate(_:subnets:source:)``: the master's re-check of reservations it
/// decoded from an image (no JSON).
@Suite struct DecodedReservationValidationTests {
    static let subnets = [SubnetV4(net: IPv4Network("198.51.100.0/24")!, gateway: IPv4Address("198.51.100.1")!)]

    static func reservation(_ n: UInt32, mac: UInt64?) -> Reservation {
        Reservation(ipv4: IPv4Address(0xC633_6400 | n), ipv6NA: IPv6Address(high: 0x2001_0db8_0001_0000, low: UInt64(n)),
                    ipv6PD: IPv6Prefix(address: IPv6Address(high: 0x2001_0db8_2000_0000 | UInt64(n) << 8, low: 0),
                                       prefixLength: 56),
                    mac: mac.map { MACAddress(value: $0) })
    }

    @Test func aValidSetPasses() throws {
        let set = [Self.reservation(10, mac: 1), Self.reservation(11, mac: 2)]
        #expect(try ReservationLoader.validate(set, subnets: Self.subnets, source: "replace.reservations").value == set)
    }

    @Test func everyRuleTheLoaderHasIsChecked() {
        var outside = Self.reservation(12, mac: 3)
        outside.ipv4 = IPv4Address("10.0.0.1")!
        let set = [Self.reservation(10, mac: 1), Self.reservation(11, mac: 1), outside, Self.reservation(13, mac: nil)]
        do {
            _ = try ReservationLoader.validate(set, subnets: Self.subnets, source: "replace.reservations")
            Issue.record("accepted")
        } catch {
            let lines = error.errors.lines
            #expect(lines.contains { $0.hasPrefix("replace.reservations[1].mac: 00-00-00-00-00-01 already used by") },
                    "\(lines)")
            #expect(lines.contains("replace.reservations[2].ipv4: 10.0.0.1 is not inside any subnets_v4 net"), "\(lines)")
            #expect(lines.contains { $0.hasPrefix("replace.reservations[3]: no key") }, "\(lines)")
        }
    }
}
