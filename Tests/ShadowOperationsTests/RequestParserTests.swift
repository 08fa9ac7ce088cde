import ShadowCore
import Testing
@testable import ShadowOperations

@Suite struct RequestParserTests {
    func parse(_ text: String) -> Result<ManagementRequest, ManagementRequestError> {
        ManagementRequest.parse(Array(text.utf8), subnets: [Fixtures.subnet])
    }

    func error(_ text: String) -> String? {
        if case .failure(let e) = parse(text) { return e.message }
        return nil
    }

    @Test func simpleCommands() throws {
        #expect(try parse(#"{"command":"status"}"#).get() == .status)
        #expect(try parse(#"{"command":"reload"}"# + "\n").get() == .reload)
        #expect(try parse(#" {"command":"workers","extra":[1,{"a":2}]} "#).get() == .workers)
        #expect(try parse(#"{"command":"stats"}"#).get() == .stats)
        #expect(try parse(#"{"command":"version"}"#).get() == .version)
        #expect(try parse(#"{"command":"bindings"}"#).get() == .bindings(mac: nil))
        #expect(try parse(#"{"command":"bindings","mac":"001122334455"}"#).get()
                == .bindings(mac: MACAddress("00-11-22-33-44-55")))
    }

    @Test(arguments: [
        ("", "line 1, column 1: unexpected end of input, expected a value"),
        ("{\"command\":", "line 1, column 12: unexpected end of input, expected a value"),
        ("[1]", "expected a JSON object, got an array"),
        ("{}", "missing field `command`"),
        ("{\"command\":5}", "`command` must be a string, got a number"),
        ("{\"command\":\"status\",\"command\":\"reload\"}", "duplicate field `command`"),
        ("{\"command\":\"status\"} x", "line 1, column 22: unexpected data after the JSON value"),
        ("{\"command\":\"replace\"}", "missing field `reservations`"),
        ("{\"command\":\"lookup\"}", "lookup needs exactly one of `mac`, `duid`, `option82`, `option1837`"),
        ("{\"command\":\"lookup\",\"mac\":\"x\"}", "`mac`: invalid MAC address \"x\"; expected e.g. 00-11-22-33-44-55"),
        ("{\"command\":\"lookup\",\"duid\":\"zz\"}", "`duid`: Invalid DUID format \"zz\""),
        ("{\"command\":\"lookup\",\"option82\":{\"port\":\"1\"}}",
         "`option82.port`: unknown field; allowed: circuit, remote, subscriber"),
        ("{\"command\":\"lookup\",\"option1837\":{\"enterprise_number\":-1}}",
         "`option1837.enterprise_number` must be an integer from 0 to 4294967295"),
    ])
    func malformedRequests(input: String, message: String) {
        #expect(error(input) == message)
    }

    @Test func unknownCommandNamesTheKnownOnes() {
        #expect(error(#"{"command":"restart"}"#) == "unknown command `restart`, expected one of `status`, `reload`, "
                + "`replace`, `workers`, `stats`, `lookup`, `bindings`, `version`, `peers`, `online`, `reservation-add`, "
                + "`reservation-update`, `reservation-delete`, `reservation-changes`, `reservation-get`, `reservations-list`, "
                + "`diff`, `explain`")
    }

    @Test func lookupKeys() throws {
        #expect(try parse(#"{"command":"lookup","duid":"00:03:00:01:00:11:22:33:44:66"}"#).get()
                == .lookup(.duid(DUID("00:03:00:01:00:11:22:33:44:66")!)))
        #expect(try parse(#"{"command":"lookup","option82":{"remote":"r","circuit":null}}"#).get()
                == .lookup(.option82(Option82(remote: "r"))))
        #expect(try parse(#"{"command":"lookup","option1837":{"interface":"i","enterprise_number":4874}}"#).get()
                == .lookup(.option1837(Option1837(interface: "i", enterpriseNumber: 4874))))
    }

    @Test func replaceIsValidated() throws {
        let request = #"{"reservations":"# + Fixtures.reservationsJSON + #","command":"replace"}"#
        guard case .replace(let r) = try parse(request).get() else { Issue.record("not a replace"); return }
        #expect(r.reservations == Fixtures.reservations)
        #expect(r.warnings.isEmpty)
    }

    /// Options in a replace and in a change request: parsed with config.json's
    /// `ms_classless_routes`; the file the master writes from them has them in the file's form.
    @Test func replaceAndAddCarryOptions() throws {
        let entry = #"{"ipv4":"198.51.100.30","ipv6_na":"2001:db8::30","ipv6_pd":"2001:db8:30::/56","mac":"00-11-22-33-44-30","#
            + #""v4_lease_time":86400,"options_v4":{"classless_routes":[{"net":"10.0.0.0/8","router":"198.51.100.1"}]}}"#
        let replace = Array(#"{"command":"replace","reservations":[\#(entry)]}"#.utf8)
        guard case .replace(let r) = try ManagementRequest.parse(replace, subnets: [Fixtures.subnet], msClasslessRoutes: true).get()
        else { Issue.record("not a replace"); return }
        let set = r.reservations[0].optionsV4
        #expect(set.leaseTime == 86400 && set.entry(code: 249)?.payload == set.entry(code: 121)?.payload)
        #expect(String(decoding: ReservationPersistence.persistedBytes(r.reservations), as: UTF8.self).contains(
            #""v4_lease_time": 86400,\#n    "options_v4": {"classless_routes":[{"net":"10.0.0.0/8","router":"198.51.100.1"}]}"#))
        let add = Array(#"{"command":"reservation-add","reservation":\#(entry.replacingOccurrences(of: "/8", with: "/6"))}"#.utf8)
        guard case .failure(let e) = ManagementRequest.parse(add, subnets: [Fixtures.subnet]) else {
            Issue.record("accepted"); return
        }
        #expect(e.errors == ["reservation-add.reservation.options_v4.classless_routes[0].net: 10.0.0.0/6 has host bits set; write 8.0.0.0/6"])
    }

    @Test func invalidReplaceReportsEveryError() {
        let request = #"{"command":"replace","reservations":["#
            + #"{"ipv4":"10.0.0.1","ipv6_na":"2001:db8::1","ipv6_pd":"2001:db8:1::/56","mac":"00-11-22-33-44-55"},"#
            + #"{"ipv4":"198.51.100.20","ipv6_na":"2001:db8::2","ipv6_pd":"2001:db8:2::/56","mac":"nonsense"},"#
            + #"{"ipv4":"198.51.100.21","ipv6_na":"2001:db8::3","ipv6_pd":"2001:db8:3::/56","mac":"00-11-22-33-44-55"}]}"#
        guard case .failure(let e) = parse(request) else { Issue.record("accepted"); return }
        #expect(e.errors.count >= 3)
        #expect(e.errors.contains { $0.hasPrefix("replace.reservations[0].ipv4") })
        #expect(e.errors.contains { $0.hasPrefix("replace.reservations[1].mac") })
        #expect(e.errors.contains { $0.contains("replace.reservations[2]") })
        #expect(e.message == e.errors.joined(separator: "\n"))
    }

    @Test func replaceOfANonArray() {
        guard case .failure(let e) = parse(#"{"command":"replace","reservations":{}}"#) else { Issue.record("accepted"); return }
        #expect(!e.errors.isEmpty)
    }
}
