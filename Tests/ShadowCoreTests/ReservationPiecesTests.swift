import Testing
@testable import ShadowCore

/// A large array parsed in pieces on several threads gives exactly what one parse gives: the
/// same reservations, the same errors and warnings with the same entry indexes.
@Suite("reservations.json: parsing in pieces")
struct ReservationPiecesTests {
    /// Four "threads" that run their jobs last to first, so no piece can rely on an earlier one.
    static let fourBackwards = ParallelWork(width: 4) { count, job in
        for i in (0..<count).reversed() { job(i) }
    }

    static func mac(_ n: Int) -> String {
        let hex = Array("0123456789ABCDEF")
        return "00-00-00-00-\(hex[(n >> 4) & 15])\(hex[n & 15])-\(hex[(n >> 12) & 15])\(hex[(n >> 8) & 15])"
    }

    /// 200 entries; `edit` may replace any of them.
    static func file(_ edit: (Int, String) -> String = { $1 }) -> String {
        let entries = (1...200).map { n in edit(n, entry(n, #""mac": "\#(mac(n))""#)) }
        return "[\n" + entries.joined(separator: ",\n") + "\n]\n"
    }

    func load(_ text: String, _ work: ParallelWork) -> (values: [Reservation], errors: [String], warnings: [String]) {
        let bytes = Array(text.utf8)
        let result = bytes.withUnsafeBytes { buffer -> Result<Loaded<[Reservation]>, LoadError> in
            var reader = JSONReader(buffer)
            return Result { () throws(LoadError) -> Loaded<[Reservation]> in
                try ReservationLoader.load(from: &reader, subnets: testSubnets, source: "reservations.json",
                                           requireEnd: true, msClasslessRoutes: true, work: work,
                                           minimumPieceBytes: 2000)
            }
        }
        switch result {
        case .success(let l): return (l.value, [], l.warnings.lines)
        case .failure(let e): return ([], e.errors.lines, e.warnings.lines)
        }
    }

    func expectSame(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let one = load(text, .serial)
        let pieces = load(text, Self.fourBackwards)
        #expect(pieces.values == one.values, sourceLocation: sourceLocation)
        #expect(pieces.errors == one.errors, sourceLocation: sourceLocation)
        #expect(pieces.warnings == one.warnings, sourceLocation: sourceLocation)
    }

    @Test func aCleanFileIsCutIntoPiecesAndLoadsTheSame() throws {
        let text = Self.file()
        var parser = ReservationParser(source: "reservations.json", subnets: testSubnets)
        let used = Array(text.utf8).withUnsafeBytes { buffer in
            var reader = JSONReader(buffer)
            return parser.parseArrayInPieces(&reader, Self.fourBackwards, minimumPieceBytes: 2000)
        }
        #expect(used)
        #expect(parser.reservations.count == 200)
        #expect(parser.reservations[199].ipv4 == IPv4Address(198, 51, 100, 200))
        expectSame(text)
        #expect(load(text, Self.fourBackwards).values.count == 200)
    }

    @Test func piecesAreJoinedInOrderWithoutLosingOrSharingAnything() {
        let text = Self.file { n, entry in
            n % 3 == 0 ? entry.replacing(#""mac""#, with: #""options_v4": {"domain_name": "d\#(n).example"}, "mac""#) : entry
        }
        let one = load(text, .serial).values
        let lists = ListSlots(count: 5)
        var parts = [Array(one[0..<70]), [], Array(one[70..<71]), Array(one[71..<200]), []]
        for k in parts.indices { lists.put(k, &parts[k]) }
        #expect(parts.allSatisfy { $0.isEmpty })
        let joined = ReservationParser.concatenate(lists, work: Self.fourBackwards)
        #expect(joined == one)
        // The originals are untouched: the lists moved were copies of slices.
        #expect(one.count == 200 && one[2].optionsV4 != .empty && one[2].optionsV4 == joined[2].optionsV4)
        let empty = ListSlots(count: 2)
        #expect(ReservationParser.concatenate(empty, work: Self.fourBackwards).isEmpty)
    }

    @Test func errorsInEveryPieceNameTheirEntryInTheWholeFile() {
        let text = Self.file { n, e in [5, 90, 150, 199].contains(n) ? e.replacing(#""mac": ""#, with: #""mac": "zz"#) : e }
        let errors = load(text, Self.fourBackwards).errors
        #expect(errors.count == 4)
        #expect(errors.last?.hasPrefix("reservations.json[198].mac:") == true)
        expectSame(text)
    }

    @Test func warningsAndUnusableEntriesKeepTheirIndexes() {
        expectSame(Self.file { n, e in n % 37 == 0 ? e.replacing("::/56", with: ":1::/56") : e })
        expectSame(Self.file { n, e in n == 120 ? #"{"mac": "00-00-00-00-00-00"}"# : e })
        expectSame(Self.file { n, e in n == 77 ? "42" : e })
    }

    @Test func optionsParseTheSameInPieces() {
        let text = Self.file { n, e in
            n % 3 == 0 ? e.replacing(#""mac""#, with: #""options_v4": {"mtu": 1400, "domain_name": "example.net", "classless_routes": [{"net": "10.0.0.0/8", "router": "198.51.100.254"}]}, "v4_lease_time": 7200, "options_v6": {"sol_max_rt": 3600}, "mac""#) : e
        }
        let loaded = load(text, Self.fourBackwards)
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
        #expect(loaded.values[2].optionsV4.leaseTime == 7200)
        #expect(loaded.values[2].optionsV4.entry(code: 249) != nil)
        #expect(loaded.values[1].optionsV4 == .empty)
        expectSame(text)
    }

    @Test func duplicatesAcrossPieces() {
        expectSame(Self.file { n, e in n == 180 ? e.replacing(Self.mac(180), with: Self.mac(3)) : e })
    }

    @Test func aStringThatLooksLikeAnEntryBoundary() {
        // Every cut candidate may fall inside these circuit ids.
        expectSame(Self.file { n, e in
            e.replacing(#""mac""#, with: #""option82": {"circuit": "a} , {b\#(n)}, {c"}, "mac""#)
        })
    }

    @Test func syntaxErrorsAreReportedAsByOneParse() {
        expectSame(Self.file { n, e in n == 130 ? e + " {" : e })
        expectSame(Self.file { n, e in n == 60 ? String(e.dropLast()) : e })
        expectSame(Self.file() + "x")
        expectSame(Self.file { n, e in n == 200 ? e + "," : e })
        expectSame(String(Self.file().dropLast(3)))
    }
}
