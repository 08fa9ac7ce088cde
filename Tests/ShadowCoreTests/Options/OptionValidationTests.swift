import Testing
@testable import ShadowCore

/// Every rule of docs/configuration.md "Options": each error names the file, the path and the
/// rule, and all are reported at once.
@Suite("Options: validation")
struct OptionValidationTests {
    func v4Errors(_ options: String) -> [String] { configErrors(configText(#""options_v4": \#(options)"#)) }
    func v6Errors(_ options: String) -> [String] { configErrors(configText(#""options_v6": \#(options)"#)) }

    @Test(arguments: [
        (#"{"mtu": 67}"#, "config.json: options_v4.mtu: must be between 68 and 65535, got 67"),
        (#"{"mtu": "1500"}"#, "config.json: options_v4.mtu: expected an integer, got a string"),
        (#"{"time_offset": 2147483648}"#,
         "config.json: options_v4.time_offset: must be between -2147483648 and 2147483647, got 2147483648"),
        (#"{"v6_only_preferred": 299}"#, "config.json: options_v4.v6_only_preferred: must be between 300 and 4294967295, got 299"),
        (#"{"ntp_servers": ["192.0.2.300"]}"#,
         "config.json: options_v4.ntp_servers[0]: invalid IPv4 address \"192.0.2.300\"; expected a dotted quad such as 192.0.2.1, without leading zeros"),
        (#"{"dns_servers": []}"#, "config.json: options_v4.dns_servers: must not be empty (leave the key out instead)"),
        (#"{"domain_name": "a..b"}"#, "config.json: options_v4.domain_name: invalid domain name \"a..b\": empty label"),
        (#"{"vendor_specific": "0g"}"#,
         "config.json: options_v4.vendor_specific: invalid hex \"0g\": not a hex digit at position 1; expected pairs of hex digits, optionally separated by ':' (01:04:de:ad:be:ef or 0104deadbeef)"),
        (#"{"vendor_specific": "010"}"#,
         "config.json: options_v4.vendor_specific: invalid hex \"010\": odd number of hex digits (each byte is two digits); expected pairs of hex digits, optionally separated by ':' (01:04:de:ad:be:ef or 0104deadbeef)"),
        (#"{"classless_routes": [{"net": "10.0.0.1/8", "router": "192.0.2.1"}]}"#,
         "config.json: options_v4.classless_routes[0].net: 10.0.0.1/8 has host bits set; write 10.0.0.0/8"),
        (#"{"classless_routes": [{"net": "10.0.0.0/33", "router": "192.0.2.1"}]}"#,
         "config.json: options_v4.classless_routes[0].net: invalid IPv4 network \"10.0.0.0/33\"; expected a.b.c.d/len with len 0-32"),
        (#"{"custom": [{"code": 82, "hex": "01"}]}"#,
         "config.json: options_v4.custom[0].code: code 82 (relay agent information) is built by the server"),
        (#"{"custom": [{"code": 26, "hex": "05dc"}]}"#, "config.json: options_v4.custom[0].code: code 26 is mtu: use that key"),
        (#"{"custom": [{"code": 255, "hex": ""}]}"#, "config.json: options_v4.custom[0].code: must be between 1 and 254, got 255"),
        (#"{"custom": [{"code": 249, "hex": "00"}]}"#,
         "config.json: options_v4.custom[0].code: code 249 is sent from classless_routes with ms_classless_routes"),
        (#"{"always_send": ["mtu"]}"#,
         "config.json: options_v4.always_send[0]: mtu is not set at this level (always_send names keys of its own level)"),
        (#"{"v6_only_preferred": 1800, "always_send": ["v6_only_preferred"]}"#,
         "config.json: options_v4.always_send[0]: v6_only_preferred is sent only to a client that asks for it (RFC 8925), never always"),
        (#"{"colour": 1}"#,
         "config.json: options_v4.colour: unknown field; allowed: routers, dns_servers, domain_name, domain_search, ntp_servers, mtu, classless_routes, tftp_server, bootfile, time_offset, v6_only_preferred, vendor_specific, vendor_identifying, custom, always_send, ms_classless_routes"),
    ])
    func v4Rule(options: String, error: String) {
        #expect(v4Errors(options) == [error])
    }

    @Test(arguments: [
        (#"{"sol_max_rt": 59}"#, "config.json: options_v6.sol_max_rt: must be between 60 and 86400, got 59"),
        (#"{"information_refresh_time": 599}"#,
         "config.json: options_v6.information_refresh_time: must be between 600 and 4294967295, got 599"),
        (#"{"custom": [{"code": 25, "hex": "00"}]}"#, "config.json: options_v6.custom[0].code: code 25 (IA_PD) is built by the server"),
        (#"{"custom": [{"code": 23, "hex": "00"}]}"#, "config.json: options_v6.custom[0].code: code 23 is dns_servers: use that key"),
        (#"{"vendor_opts": [{"enterprise": 1, "hex": "00"}, {"enterprise": 2, "hex": "00"}]}"#,
         "config.json: options_v6.vendor_opts: exactly one enterprise per level: a level holds one option 17, and option 17 carries one enterprise number"),
        (#"{"ms_classless_routes": true}"#,
         "config.json: options_v6.ms_classless_routes: unknown field; allowed: dns_servers, domain_search, ntp_servers, sntp_servers, sol_max_rt, inf_max_rt, information_refresh_time, aftr_name, vendor_opts, custom, always_send"),
    ])
    func v6Rule(options: String, error: String) {
        #expect(v6Errors(options) == [error])
    }

    /// An invalid value is one error: always_send naming it does not add a second.
    @Test func alwaysSendDoesNotRepeatAnotherError() {
        #expect(v4Errors(#"{"mtu": 14, "custom": [{"code": 53, "hex": "01"}], "always_send": ["mtu", 53]}"#) == [
            "config.json: options_v4.mtu: must be between 68 and 65535, got 14",
            "config.json: options_v4.custom[0].code: code 53 (message type) is built by the server",
        ])
    }

    @Test func namesLongerThanTheRFCAllowsAreRefused() {
        let label = String(repeating: "a", count: 64)
        #expect(v6Errors(#"{"aftr_name": "\#(label).example"}"#) == [
            "config.json: options_v6.aftr_name: invalid domain name \"\(label).example\": label of 64 bytes, at most 63"])
        let long = Array(repeating: String(repeating: "b", count: 63), count: 4).joined(separator: ".")
        #expect(v4Errors(#"{"domain_search": ["\#(long)"]}"#) == [
            "config.json: options_v4.domain_search[0]: invalid domain name \"\(long)\": 255 bytes, at most 253"])
    }

    @Test func everyErrorIsReportedAtOnce() {
        let text = #"""
            {"dns_v4": ["192.0.2.53"], "dns_v6": ["2001:db8::53"],
             "subnets_v4": [{"net": "198.51.100.0/24", "gateway": "198.51.100.1", "v4_lease_time": -1,
                             "relays": ["192.0.2.1/24"], "options_v4": {"mtu": 1, "ms_classless_routes": true}}],
             "subnets_v6": [{"link": "2001:db8:1::1/64", "options_v6": {"sol_max_rt": 1}}, {"link": "2001:db8:2::"}],
             "options_v6": {"dns_servers": ["192.0.2.1"]}}
            """#
        #expect(configErrors(text) == [
            "config.json: subnets_v4[0].options_v4.mtu: must be between 68 and 65535, got 1",
            "config.json: subnets_v4[0].options_v4.ms_classless_routes: only in the top-level options_v4 of config.json: it applies to every level, so that options 121 and 249 always agree",
            "config.json: subnets_v4[0].v4_lease_time: must be between 0 and 4294967295, got -1",
            "config.json: subnets_v4[0].relays[0]: 192.0.2.1/24 has host bits set; write 192.0.2.0/24",
            "config.json: options_v6.dns_servers[0]: invalid IPv6 address \"192.0.2.1\"; expected an address such as 2001:db8::1, without zone",
            "config.json: subnets_v6[0].link: 2001:db8:1::1/64 has host bits set; write 2001:db8:1::/64",
            "config.json: subnets_v6[0].options_v6.sol_max_rt: must be between 60 and 86400, got 1",
            "config.json: subnets_v6[1].link: invalid IPv6 prefix \"2001:db8:2::\"; expected addr/len with len 0-128, such as 2001:db8:1::/64",
        ])
    }

    @Test func subnetsV6AndRelaysLoad() throws {
        let c = try #require(config(#"""
            "subnets_v6": [{"link": "2001:db8:1::/64", "v6_lease_time": 7200, "relays": ["2001:db8:ff::/48"],
                            "options_v6": {"dns_servers": ["2001:db8::35"]}}]
            """#))
        #expect(c.subnetsV6 == [SubnetV6(link: IPv6Prefix("2001:db8:1::/64")!,
                                         options: DHCPOptionSet(entries: [.init(code: 23, payload: IPv6Address("2001:db8::35")!.bytes)],
                                                                leaseTime: 7200),
                                         relays: [IPv6Prefix("2001:db8:ff::/48")!])])
    }

    // MARK: reservations.json

    @Test func reservationOptionErrorsNameTheEntryAndPath() {
        let text = array(entry(1), entry(2, #""mac": "00-00-00-00-00-02", "options_v4": {"mtu": 20}, "v6_lease_time": "x""#),
                         entry(3, #""mac": "00-00-00-00-00-03", "options_v6": {"aftr_name": "-x.example"}, "options_v4": {"ms_classless_routes": false}"#))
        #expect(reservationErrors(text) == [
            "reservations.json[1].options_v4.mtu: must be between 68 and 65535, got 20",
            "reservations.json[1].v6_lease_time: expected an integer, got a string",
            "reservations.json[2].options_v6.aftr_name: invalid domain name \"-x.example\": labels are letters, digits, '-' and '_', not starting or ending with '-'",
            "reservations.json[2].options_v4.ms_classless_routes: only in the top-level options_v4 of config.json: it applies to every level, so that options 121 and 249 always agree",
        ])
    }

    @Test func reservationOptionsLoad() throws {
        let text = array(entry(1, #""mac": "00-00-00-00-00-01", "options_v4": {"mtu": 1400, "always_send": ["mtu"]}, "v4_lease_time": 86400, "v6_lease_time": 0"#))
        let r = try loadReservations(text).get().value[0]
        #expect(r.optionsV4 == DHCPOptionSet(entries: [.init(code: 26, payload: [0x05, 0x78], alwaysSend: true)], leaseTime: 86400))
        #expect(r.optionsV6 == DHCPOptionSet(entries: [], leaseTime: 0))
    }

    @Test func reservationClasslessRoutesFollowMsClasslessRoutes() throws {
        let text = array(entry(1, #""mac": "00-00-00-00-00-01", "options_v4": {"classless_routes": [{"net": "10.0.0.0/8", "router": "198.51.100.254"}]}"#))
        let with = try ReservationLoader.load(Array(text.utf8), subnets: testSubnets, msClasslessRoutes: true).value[0]
        #expect(with.optionsV4.entry(code: 249)?.payload == with.optionsV4.entry(code: 121)?.payload)
        let without = try loadReservations(text).get().value[0]
        #expect(without.optionsV4.entry(code: 249) == nil)
    }
}
