import Testing
@testable import ShadowCore

@Suite("reservations.json: document structure, sources and limits")
struct ReservationStructureTests {
    @Test("whole-document problems", arguments: [
        (#"{"reservations": []}"#, ["reservations.json: expected an array of reservations, got an object"]),
        ("[1, null]", ["reservations.json[0]: expected a reservation object, got a number",
                       "reservations.json[1]: expected a reservation object, got null"]),
        ("", ["reservations.json: line 1, column 1: unexpected end of input, expected a value"]),
        ("[\n" + entry(3) + ",\n]", ["reservations.json: line 3, column 1: trailing comma before ']'"]),
        ("[\n" + entry(3) + "\n] []", ["reservations.json: line 3, column 3: unexpected data after the JSON value"]),
        ("[{\"ipv4\": \"198.51.100.1\" \"mac\": 1}]", ["reservations.json: line 1, column 26: unexpected '\"', expected ',' or '}'"]),
    ])
    func structure(_ text: String, _ expected: [String]) {
        #expect(reservationErrors(text) == expected)
    }

    @Test func problemsBeforeASyntaxErrorAreKept() {
        let text = "[" + entry(3, "") + ", {\"ipv4\": }]"
        #expect(reservationErrors(text) == [
            "reservations.json[0]: no key, so it can never match; give at least one of mac, duid, option82, option1837",
            "reservations.json: line 1, column 97: unexpected '}', expected a value",
        ])
    }

    @Test func sourceNameIsAParameter() {
        let text = array(entry(3), entry(2, #""mac": "bad""#))
        #expect(reservationProblems(text, source: "replace.reservations").errors == [
            #"replace.reservations[1].mac: invalid MAC address "bad"; expected 00-11-22-33-44-55, 00:11:22:33:44:55, 001122334455, 0x001122334455 or 0011.2233.4455"#,
        ])
    }

    /// A management `replace` request embeds the array; the reader continues after it.
    @Test func arrayInsideALargerDocument() throws {
        let request = #"{"command": "replace", "reservations": "# + array(entry(3), entry(2, #""mac": "00-00-00-00-00-02""#))
            + #", "note": [1]}"#
        let (command, loaded) = try JSONReader.withReader(Array(request.utf8)) {
            (r: inout JSONReader) throws -> (String, Loaded<[Reservation]>?) in
            var command = ""
            var loaded: Loaded<[Reservation]>?
            do {
                try r.beginObject()
                while let key = try r.nextKey() {
                    switch key {
                    case "command": command = try r.readString()
                    case "reservations":
                        loaded = try ReservationLoader.load(from: &r, subnets: testSubnets, source: "replace.reservations")
                    default: try r.skipValue()
                    }
                }
                try r.finish()
            } catch let e as JSONSyntaxError {
                Issue.record("syntax: \(e)")
            }
            return (command, loaded)
        }
        #expect(command == "replace")
        #expect(loaded?.value.map(\.ipv4) == [IPv4Address(198, 51, 100, 3), IPv4Address(198, 51, 100, 2)])
    }

    @Test func embeddedErrorsUseTheSource() {
        let request = #"{"reservations": [{"ipv4": "198.51.100.3"}]}"#
        let result = JSONReader.withReader(Array(request.utf8)) { (r: inout JSONReader) -> LoadError? in
            do {
                try r.beginObject()
                _ = try r.nextKey()
                _ = try ReservationLoader.load(from: &r, subnets: testSubnets, source: "replace.reservations")
                return nil
            } catch let e as LoadError {
                return e
            } catch {
                return nil
            }
        }
        #expect(result?.errors.lines == [
            "replace.reservations[0].ipv6_na: missing required field",
            "replace.reservations[0].ipv6_pd: missing required field",
            "replace.reservations[0]: no key, so it can never match; give at least one of mac, duid, option82, option1837",
        ])
    }

    @Test func printedErrorsAreCappedButAllCounted() {
        let entries = (0..<1500).map { _ in #"{"ipv4": "198.51.100.3", "ipv6_na": "::1", "ipv6_pd": "2001:db8:ff::/56", "mac": 1}"# }
        let text = "[" + entries.joined(separator: ",") + "]"
        guard case .failure(let e) = loadReservations(text) else { Issue.record("loaded"); return }
        // 1500 type errors + 1499 repeats each of ipv4, ipv6_na and ipv6_pd.
        #expect(e.errors.count == 1500 + 3 * 1499)
        #expect(e.errors.items.count == DiagnosticList.defaultLimit)
        #expect(e.errors.lines.count == DiagnosticList.defaultLimit + 1)
        #expect(e.errors.lines.last == "... and \(1500 + 3 * 1499 - 1000) more errors")
        #expect(e.errors.lines.first == "reservations.json[0].mac: expected a string, got a number")
    }
}
