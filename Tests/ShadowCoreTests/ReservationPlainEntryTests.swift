import Testing
@testable import ShadowCore

/// The plain-entry fast path (`ReservationParser+PlainEntry.swift`) gives exactly what the general
/// reader gives — the same reservations, errors and warnings — for entries it takes and for
/// entries it must hand back, alone, among plain ones and in pieces.
@Suite("reservations.json: the plain-entry fast path")
struct ReservationPlainEntryTests {
    /// One entry each: plain ones, and every way an entry can leave the plain shape.
    static let entries: [String] = [
        entry(1),
        entry(2, #""mac": "00:11:22:33:44:55""#),
        entry(3, #""mac": "001122334455""#),
        entry(4, #""mac": "0x001122334455""#),
        entry(5, #""mac": "0011.2233.4455""#),
        entry(6, #""duid": "00:03:00:01:00:11:22:33:44:55""#),
        entry(7, #""duid": "00-03-00-01-00-11-22-33-44-55", "mac": "00-11-22-33-44-56""#),
        entry(8, #""duid": "0003000100112233""#),
        entry(9, #""option82": {"circuit": "olt1/1/1", "remote": "sub-1", "subscriber": null}"#),
        entry(10, #""option82": {"subscriber": "s", "circuit": "c"}"#),
        entry(11, #""option82": {"circuit": "c", "circuit": "d"}"#),
        entry(12, #""option82": {"circuit": ""}"#),
        entry(13, #""option82": {"circuit": null}"#),
        entry(14, #""option82": {}"#),
        entry(15, #""option82": {"circuit": "c", "other": "x"}"#),
        entry(16, #""option82": {"circuit": "c\u00e9"}"#),
        entry(17, #""option82": {"circuit": "olt\/1"}"#),
        entry(18, #""option82": {"circuit": "caf\#u{E9}"}"#),
        entry(19, #""option82": {"circuit": 5}"#),
        entry(20, #""option82": {"circuit": "c",}"#),
        entry(21, #""option82": {"circuit": "c"} , "mac": "00-11-22-33-44-57""#),
        entry(22, #""option82": {"circuit": nul}"#),
        entry(23, #""option82": "c""#),
        entry(24, #""option1837": {"interface": "eth0"}"#),
        entry(25, #""mac": null"#),
        entry(26, #""mac": "00-11-22-33-44-5""#),
        entry(27, #""mac": "00-11-22-33-44-55", "mac": "00-11-22-33-44-58""#),
        entry(28, #""mac": "00-11-22-33-44-55", "color": "blue""#),
        entry(29, #""v4_lease_time": 3600, "mac": "00-11-22-33-44-59""#),
        entry(30, #""options_v4": {"mtu": 1400}, "mac": "00-11-22-33-44-5A""#),
        entry(31, ""),
        #"{"ipv4": "198.51.100.32", "ipv6_na": "2001:db8:1::20", "ipv6_pd": "2001:db8:1:1::/56", "mac": "00-00-00-00-01-01"}"#,
        #"{"ipv4": "198.51.100.33", "ipv6_na": "2001:db8:1::21", "ipv6_pd": "2001:db8:133::/56"}"#,
        #"{"ipv4": "192.0.2.34", "ipv6_na": "2001:db8:1::22", "ipv6_pd": "2001:db8:134::/56", "mac": "00-00-00-00-01-02"}"#,
        #"{"ipv4": "198.51.100.254", "ipv6_na": "2001:db8:1::23", "ipv6_pd": "2001:db8:135::/56", "mac": "00-00-00-00-01-03"}"#,
        #"{"ipv4": "198.51.100.036", "ipv6_na": "2001:db8:1::24", "ipv6_pd": "2001:db8:136::/56", "mac": "00-00-00-00-01-04"}"#,
        #"{"ipv4": "198.51.100.37", "ipv6_na": "::ffff:198.51.100.37", "ipv6_pd": "2001:db8:137::/56", "mac": "00-00-00-00-01-05"}"#,
        #"{"ipv4": "198.51.100.38", "ipv6_na": "2001:DB8:1::26", "ipv6_pd": "2001:db8:138::/056", "mac": "00-00-00-00-01-06"}"#,
        #"{"ipv4": "198.51.100.39", "ipv6_na": "2001:db8:1::27", "ipv6_pd": "2001:db8:139::/129", "mac": "00-00-00-00-01-07"}"#,
        #"{"ipv4": "198.51.100.40", "ipv6_na": "2001:db8:1::28", "ipv6_pd": "2001:db8:140::/56", "duid": "00:03:00:01:00:00:00:00:01:08"}"#,
        #"{"ipv4": "198.51.100.41", "ipv6_na": "2001:db8:1::29", "ipv6_pd": "2001:db8:141::/56", "ipv4": "198.51.100.42", "mac": "00-00-00-00-01-09"}"#,
        #"{"ipv4": null, "ipv6_na": "2001:db8:1::2a", "ipv6_pd": "2001:db8:142::/56", "mac": "00-00-00-00-01-0a"}"#,
        #"{"ipv4": "198.51.100.43", "ipv6_na": "2001:db8:1::2b", "ipv6_pd": "2001:db8:143::/56", "mac": "00-00-00-00-01-0b",}"#,
        #"{"ipv4": "198.51.100.44" "ipv6_na": "2001:db8:1::2c", "ipv6_pd": "2001:db8:144::/56", "mac": "00-00-00-00-01-0c"}"#,
        #"{"ip\u00764": "198.51.100.45", "ipv6_na": "2001:db8:1::2d", "ipv6_pd": "2001:db8:145::/56", "mac": "00-00-00-00-01-0d"}"#,
        "{\"ipv4\":\t\"198.51.100.46\",\r\n \"ipv6_na\" : \"2001:db8:1::2e\" ,\"ipv6_pd\":\"2001:db8:146::/56\",\"mac\":\"00-00-00-00-01-0e\"\n}",
        "{\"ipv4\": \"198.51.100.47\", \"ipv6_na\": \"2001:db8:1::2f\", \"ipv6_pd\": \"2001:db8:147::/56\", \"mac\": \"00-00-00-00-01-\u{0B}0f\"}",
        #"{"ipv4": 198, "ipv6_na": "2001:db8:1::30", "ipv6_pd": "2001:db8:148::/56", "mac": "00-00-00-00-01-10"}"#,
        "{\"ipv4\":  \"198.51.100.49\", \"ipv6_na\": \t\"2001:db8:1::31\", \"ipv6_pd\": \n\"2001:db8:149::/56\", \"mac\" :\"00-00-00-00-01-11\" }",
        #"{}"#,
        #"[]"#,
        #""text""#,
        "null",
    ]

    /// Loads `text` with the fast path on or off, serially or in pieces of about 300 bytes.
    func load(_ text: String, plain: Bool, work: ParallelWork = .serial)
        -> (values: [Reservation], errors: [String], warnings: [String]) {
        let bytes = Array(text.utf8)
        let result = bytes.withUnsafeBytes { buffer -> Result<Loaded<[Reservation]>, LoadError> in
            var reader = JSONReader(buffer)
            return Result { () throws(LoadError) -> Loaded<[Reservation]> in
                try ReservationLoader.load(from: &reader, subnets: testSubnets, source: "reservations.json",
                                           requireEnd: true, msClasslessRoutes: false, work: work,
                                           minimumPieceBytes: 300, plainEntries: plain)
            }
        }
        switch result {
        case .success(let l): return (l.value, [], l.warnings.lines)
        case .failure(let e): return ([], e.errors.lines, e.warnings.lines)
        }
    }

    func expectSame(_ text: String, work: ParallelWork = .serial, sourceLocation: SourceLocation = #_sourceLocation) {
        let general = load(text, plain: false, work: work)
        let plain = load(text, plain: true, work: work)
        #expect(plain.values == general.values, "\(text)", sourceLocation: sourceLocation)
        #expect(plain.errors == general.errors, "\(text)", sourceLocation: sourceLocation)
        #expect(plain.warnings == general.warnings, "\(text)", sourceLocation: sourceLocation)
    }

    @Test(arguments: entries)
    func anEntryAloneLoadsTheSame(_ text: String) {
        expectSame("[" + text + "]")
    }

    @Test(arguments: entries)
    func anEntryAmongPlainOnesLoadsTheSame(_ text: String) {
        expectSame("[\n  " + entry(60, #""mac": "00-00-00-00-02-01""#) + ",\n  " + text + ",\n  "
                   + entry(61, #""mac": "00-00-00-00-02-02""#) + "\n]")
    }

    @Test func everyEntryTogetherLoadsTheSameAlsoInPieces() {
        let text = "[\n" + Self.entries.joined(separator: ",\n") + "\n]\n"
        expectSame(text)
        expectSame(text, work: ReservationPiecesTests.fourBackwards)
    }

    @Test func theFastPathTakesPlainEntriesAndHandsBackTheRest() throws {
        func takes(_ text: String) -> Bool {
            var parser = ReservationParser(source: "reservations.json", subnets: testSubnets)
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBytes { buffer in
                var reader = JSONReader(buffer)
                let taken = parser.parsePlainEntry(&reader, index: 0)
                // Given back untouched: nothing recorded, the reader where it was.
                if !taken { #expect(reader.offset == 0 && parser.reservations.isEmpty && parser.errors.isEmpty) }
                return taken
            }
        }
        #expect(takes(entry(1)))
        #expect(takes(Self.entries[8]))
        #expect(takes(Self.entries[33]))  // outside every subnet: taken, and the check reports it
        #expect(!takes(Self.entries[3]))  // 0x MAC: the model's parser decides
        #expect(!takes(Self.entries[16])) // an escape
        #expect(!takes(Self.entries[31])) // host bits: a warning
        #expect(!takes(Self.entries[24])) // null
    }
}

extension ReservationPlainEntryTests {
    @Test func theFieldSetsMatchTheirLists() {
        var required = FieldSet(), keys = FieldSet()
        for f in ReservationField.required { required.insert(f) }
        for f in ReservationField.keys { keys.insert(f) }
        #expect(required.bits == FieldSet.required.bits)
        #expect(keys.bits == FieldSet.keys.bits)
    }
}
