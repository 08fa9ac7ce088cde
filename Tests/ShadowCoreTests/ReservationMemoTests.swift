import Testing
@testable import ShadowCore

/// A load given the memo of the load before gives exactly what a load without one gives — the
/// same values, warnings and errors with the same indexes — while the entries whose bytes did not
/// change are taken from the memo (counted in its statistics).
@Suite("reservations.json: entries reused from the last load")
struct ReservationMemoTests {
    /// Four "threads" that run their jobs last to first (as in the pieces tests).
    static let fourBackwards = ParallelWork(width: 4) { count, job in
        for i in (0..<count).reversed() { job(i) }
    }
    /// The single-thread parse and the parse in pieces.
    static let works: [ParallelWork] = [.serial, fourBackwards]
    static let threshold = 2000

    static func mac(_ n: Int) -> String { ReservationPiecesTests.mac(n) }

    /// Entry `n`: a plain one, one with options (general reader) every 7th, one with an escaped
    /// quote and braces inside a string every 11th.
    static func item(_ n: Int) -> String {
        if n % 7 == 0 {
            return entry(n, #""options_v4": {"mtu": 1400, "domain_name": "example.net"}, "v4_lease_time": 7200, "mac": "\#(mac(n))""#)
        }
        if n % 11 == 0 {
            return entry(n, #""mac": "\#(mac(n))", "option82": {"circuit": "port \"\#(n)\" {x}"}"#)
        }
        return entry(n, #""mac": "\#(mac(n))""#)
    }

    static func file(_ numbers: [Int], _ edit: (Int, String) -> String = { $1 }) -> String {
        "[\n" + numbers.map { edit($0, item($0)) }.joined(separator: ",\n") + "\n]\n"
    }

    struct Outcome: Equatable {
        var values: [Reservation]
        var errors: [String]
        var warnings: [String]
    }

    func load(_ text: String, _ work: ParallelWork, subnets: [SubnetV4] = testSubnets, ms: Bool = true,
              memo: inout ReservationMemo?) -> Outcome {
        let bytes = Array(text.utf8)
        let result = bytes.withUnsafeBytes { buffer -> Result<Loaded<[Reservation]>, LoadError> in
            var reader = JSONReader(buffer)
            return Result { () throws(LoadError) -> Loaded<[Reservation]> in
                try ReservationLoader.load(from: &reader, subnets: subnets, source: "reservations.json",
                                           requireEnd: true, msClasslessRoutes: ms, work: work,
                                           minimumPieceBytes: Self.threshold, memo: &memo)
            }
        }
        switch result {
        case .success(let l): return Outcome(values: l.value, errors: [], warnings: l.warnings.lines)
        case .failure(let e): return Outcome(values: [], errors: e.errors.lines, warnings: e.warnings.lines)
        }
    }

    /// Loads `first`, then `second` with the memo of the first, and checks the second against a
    /// load of it without a memo. Returns the memo after the second load.
    @discardableResult
    func expectSame(first: String, then second: String, _ work: ParallelWork,
                    subnets: [SubnetV4] = testSubnets, ms: Bool = true,
                    sourceLocation: SourceLocation = #_sourceLocation) -> ReservationMemo? {
        var memo: ReservationMemo? = ReservationMemo()
        let one = load(first, work, memo: &memo)
        #expect(one.errors.isEmpty, sourceLocation: sourceLocation)
        #expect(memo?.count == one.values.count, sourceLocation: sourceLocation)
        var none: ReservationMemo?
        let fresh = load(second, work, subnets: subnets, ms: ms, memo: &none)
        let reused = load(second, work, subnets: subnets, ms: ms, memo: &memo)
        #expect(reused == fresh, sourceLocation: sourceLocation)
        return memo
    }

    @Test(arguments: works) func anIdenticalFileIsTakenWholeFromTheMemo(work: ParallelWork) {
        let text = Self.file(Array(1...200))
        let memo = expectSame(first: text, then: text, work)
        // 18 entries have the "port \"n\" {x}" circuit: parsed by the general reader, reused too.
        #expect(memo?.statistics == .init(reused: 200, parsed: 0, searchedAllForDuplicates: false))
    }

    @Test(arguments: works) func oneChangedEntryIsParsed(work: ParallelWork) {
        let before = Self.file(Array(1...200))
        let after = Self.file(Array(1...200)) { n, e in n == 120 ? e.replacing("198.51.100.120", with: "198.51.100.240") : e }
        let memo = expectSame(first: before, then: after, work)
        #expect(memo?.statistics == .init(reused: 199, parsed: 1, searchedAllForDuplicates: false))
    }

    @Test(arguments: works) func entriesInsertedAtTheTopShiftEveryIndex(work: ParallelWork) {
        let before = Self.file(Array(1...200))
        let after = Self.file(Array(201...203) + Array(1...200))
        let memo = expectSame(first: before, then: after, work)
        #expect(memo?.statistics == .init(reused: 200, parsed: 3, searchedAllForDuplicates: false))
    }

    @Test(arguments: works) func reorderedEntriesAreFoundByHash(work: ParallelWork) {
        let before = Self.file(Array(1...200))
        let after = Self.file(Array((1...200).reversed()))
        let memo = expectSame(first: before, then: after, work)
        #expect(memo?.statistics == .init(reused: 200, parsed: 0, searchedAllForDuplicates: false))
        #expect(memo?.stored?.reservations.first?.ipv4 == IPv4Address(198, 51, 100, 200))
    }

    @Test(arguments: works) func anEntryMadeInvalidIsReportedAtItsIndexAndTheMemoKept(work: ParallelWork) {
        let before = Self.file(Array(1...200))
        let after = Self.file(Array(1...200)) { n, e in n == 150 ? e.replacing("198.51.100.150", with: "192.0.2.150") : e }
        var memo: ReservationMemo? = ReservationMemo()
        _ = load(before, work, memo: &memo)
        let kept = memo?.stored
        let out = load(after, work, memo: &memo)
        #expect(out.errors == ["reservations.json[149].ipv4: 192.0.2.150 is not inside any subnets_v4 net"])
        var none: ReservationMemo?
        #expect(load(after, work, memo: &none) == out)
        // The failed load left the memo of the last good one.
        #expect(memo?.stored === kept)
        #expect(memo?.statistics == .init(reused: 0, parsed: 200))
    }

    @Test(arguments: works) func anEntryWithAWarningIsParsedAgainAtItsNewIndex(work: ParallelWork) {
        // Entry 50 has only a DHCPv6 key: a warning at every load.
        func warned(_ n: Int, _ e: String) -> String {
            n == 50 ? e.replacing(#""mac": "\#(Self.mac(50))""#, with: #""duid": "00:01:00:01:aa:bb:cc:dd""#) : e
        }
        let before = Self.file(Array(1...200), warned)
        let after = Self.file([201] + Array(1...200), warned)
        var memo: ReservationMemo? = ReservationMemo()
        #expect(load(before, work, memo: &memo).warnings
                == ["reservations.json[49]: only DHCPv6 keys (duid, option1837): not reachable over DHCPv4"])
        let out = load(after, work, memo: &memo)
        #expect(out.warnings == ["reservations.json[50]: only DHCPv6 keys (duid, option1837): not reachable over DHCPv4"])
        #expect(memo?.statistics == .init(reused: 199, parsed: 2, searchedAllForDuplicates: false))
        var none: ReservationMemo?
        #expect(load(after, work, memo: &none) == out)
    }

    @Test(arguments: works) func aDuplicateBetweenAReusedAndAChangedEntryIsFound(work: ParallelWork) {
        let before = Self.file(Array(1...200))
        let after = Self.file(Array(1...200)) { n, e in n == 190 ? e.replacing("198.51.100.190", with: "198.51.100.20") : e }
        let memo = expectSame(first: before, then: after, work)
        #expect(memo?.statistics == .init(reused: 0, parsed: 200))
        var none: ReservationMemo?
        #expect(load(after, work, memo: &none).errors.contains { $0.hasPrefix("reservations.json[189].ipv4") })
    }

    @Test(arguments: works) func twoChangedEntriesWithTheSameKeyAreADuplicate(work: ParallelWork) {
        let before = Self.file(Array(1...200))
        let after = Self.file(Array(1...200)) { n, e in
            n == 60 || n == 160 ? e.replacing(#""mac": "\#(Self.mac(n))""#, with: #""mac": "0A-0B-0C-0D-0E-0F""#) : e
        }
        var memo: ReservationMemo? = ReservationMemo()
        _ = load(before, work, memo: &memo)
        let out = load(after, work, memo: &memo)
        #expect(out.errors == ["reservations.json[159].mac: 0A-0B-0C-0D-0E-0F already used by reservations.json[59]"])
        var none: ReservationMemo?
        #expect(load(after, work, memo: &none) == out)
        // The same two entries with keys of their own: no search over the whole set.
        let fixed = Self.file(Array(1...200)) { n, e in
            n == 60 || n == 160 ? e.replacing(#""mac": "\#(Self.mac(n))""#, with: #""mac": "0A-0B-0C-0D-0E-\#(n / 10 + 10)""#) : e
        }
        let fixedOut = load(fixed, work, memo: &memo)
        #expect(fixedOut.errors.isEmpty)
        #expect(fixedOut == load(fixed, work, memo: &none))
        #expect(memo?.statistics == .init(reused: 198, parsed: 2, searchedAllForDuplicates: false))
    }

    @Test(arguments: works) func anUnchangedEntryGivenTwiceIsADuplicate(work: ParallelWork) {
        // Every entry is in the memo, but entry 5 comes twice (in place of entry 6).
        let before = Self.file(Array(1...200))
        let after = Self.file([1, 2, 3, 4, 5, 5] + Array(7...200))
        var memo: ReservationMemo? = ReservationMemo()
        _ = load(before, work, memo: &memo)
        let out = load(after, work, memo: &memo)
        #expect(out.errors.first?.hasPrefix("reservations.json[5].mac: ") == true)
        var none: ReservationMemo?
        #expect(load(after, work, memo: &none) == out)
        // A subset in another order is part of the set that loaded: no search over the whole.
        let fewer = Self.file(Array((1...100).reversed()))
        #expect(load(fewer, work, memo: &memo) == load(fewer, work, memo: &none))
        #expect(memo?.statistics == .init(reused: 100, parsed: 0, searchedAllForDuplicates: false))
    }

    @Test(arguments: works) func otherSubnetsOrClasslessRoutesSettingMeanNothingIsReused(work: ParallelWork) {
        let text = Self.file(Array(1...200))
        var subnets = testSubnets
        subnets[0].gateway = IPv4Address(198, 51, 100, 253)
        #expect(expectSame(first: text, then: text, work, subnets: subnets)?.statistics == .init(reused: 0, parsed: 200))
        #expect(expectSame(first: text, then: text, work, ms: false)?.statistics == .init(reused: 0, parsed: 200))
        // A gateway that is now an entry's ipv4: the reused value would have hidden the error.
        subnets[0].gateway = IPv4Address(198, 51, 100, 33)
        var memo: ReservationMemo? = ReservationMemo()
        _ = load(text, work, memo: &memo)
        #expect(load(text, work, subnets: subnets, memo: &memo).errors
                == ["reservations.json[32].ipv4: 198.51.100.33 is the gateway of subnets_v4[0] (198.51.100.0/24)"])
    }

    @Test func aSmallFileKeepsNothing() throws {
        let text = Self.file(Array(1...200))
        #expect(text.utf8.count < ReservationParser.minimumPieceBytes)
        var memo = ReservationMemo()
        let loaded = try ReservationLoader.load(Array(text.utf8), subnets: testSubnets, msClasslessRoutes: true, memo: &memo)
        #expect(loaded.value.count == 200)
        #expect(memo.count == 0 && memo.stored == nil)
        #expect(memo.statistics == .init(reused: 0, parsed: 200))
    }

    @Test func aLargeFileThroughThePublicLoadIsRememberedAndReused() throws {
        // At least 4 MiB: 1,000 entries of about 4 KiB (a long circuit id).
        let pad = String(repeating: "c", count: 4096)
        let entries = (1...1000).map { n in
            #"{"ipv4": "100.64.\#(n / 250).\#(n % 250 + 2)", "ipv6_na": "2001:db8::\#(n)", "ipv6_pd": "2001:db8:\#(n)::/56", "mac": "\#(Self.mac(n))", "option82": {"circuit": "\#(pad)\#(n)"}}"#
        }
        let subnets = Self.wideSubnets
        let text = "[" + entries.joined(separator: ",\n") + "]"
        #expect(text.utf8.count >= ReservationParser.minimumPieceBytes)
        var memo = ReservationMemo()
        let first = try ReservationLoader.load(Array(text.utf8), subnets: subnets, work: Self.fourBackwards, memo: &memo)
        #expect(memo.count == 1000)
        let second = try ReservationLoader.load(Array(text.utf8), subnets: subnets, work: Self.fourBackwards, memo: &memo)
        #expect(second.value == first.value)
        #expect(memo.statistics == .init(reused: 1000, parsed: 0, searchedAllForDuplicates: false))
    }

    /// 100.64.0.0/10 (shared address space, as the integration tests' config has it).
    static let wideSubnets = [SubnetV4(net: IPv4Network("100.64.0.0/10")!, gateway: IPv4Address(100, 64, 0, 1))]

    @Test(arguments: works) func aFileOfMostlyNewEntriesStopsLookingThemUp(work: ParallelWork) {
        let count = 2 * ReservationParser.memoMissesTolerated + 2000
        func line(_ n: Int, _ mark: String) -> String {
            let hex = String(n, radix: 16)
            let mac: String = mark + String(Self.mac(n).dropFirst(2))
            let addresses = #""ipv4": "100.64.\#(n / 250).\#(n % 250 + 2)", "ipv6_na": "2001:db8::\#(hex)", "#
            return "{" + addresses + #""ipv6_pd": "2001:db8:\#(hex)::/56", "mac": "\#(mac)"}"#
        }
        func file(_ mark: String) -> String {
            "[\n" + (1...count).map { line($0, mark) }.joined(separator: ",\n") + "\n]\n"
        }
        // Every entry has another mac; the last 1,000 are those of the first file again.
        let first = file("00"), second = file("01")
        let keptTail = second.split(separator: "\n").dropLast(1001).joined(separator: "\n") + "\n"
            + first.split(separator: "\n").suffix(1001).joined(separator: "\n") + "\n"
        var memo: ReservationMemo? = ReservationMemo()
        #expect(load(first, work, subnets: Self.wideSubnets, memo: &memo).errors.isEmpty)
        var none: ReservationMemo?
        let out = load(keptTail, work, subnets: Self.wideSubnets, memo: &memo)
        #expect(out.errors.isEmpty)
        #expect(out == load(keptTail, work, subnets: Self.wideSubnets, memo: &none))
        // One thread gave up before the tail (four pieces: the last one has too few misses to).
        if work.width == 1 { #expect(memo?.statistics == .init(reused: 0, parsed: count)) }
        #expect(memo?.count == count)
    }

    @Test func theObjectEndFollowsStringsEscapesAndNesting() {
        func end(_ s: String) -> Int? { Array(s.utf8).withUnsafeBytes { JSONObjectEnd.end(in: $0, from: 0) } }
        #expect(end(#"{"a": "}"}, {}"#) == 10)
        #expect(end(#"{"a": "\"}\\", "b": {"c": [1, {"d": 2}]}}xyz"#) == 41)
        #expect(end(#"{"a": "a long string with no end"#) == nil)
        #expect(end(#"{"a": {"b": 1}"#) == nil)
        #expect(end(#" {}"#) == nil)
        #expect(end(#"{"é\u00e9}": 1}"#) == 16)
    }

    @Test func theHashDependsOnEveryByteAndTheKey() {
        let one = EntryHasher(seed: (1, 2)), other = EntryHasher(seed: (3, 4))
        func h(_ hasher: EntryHasher, _ s: String) -> EntryHash { Array(s.utf8).withUnsafeBytes { hasher.hash($0) } }
        let text = #"{"ipv4": "198.51.100.1", "mac": "00-00-00-00-00-01"}"#
        #expect(h(one, text) == h(one, text))
        #expect(h(one, text) != h(other, text))
        var seen = Set<EntryHash>()
        // Every single-byte change, and every shorter prefix, hashes differently.
        let bytes = Array(text.utf8)
        for i in bytes.indices {
            var b = bytes
            b[i] ^= 1
            seen.insert(b.withUnsafeBytes { one.hash($0) })
            seen.insert(bytes[..<i].withUnsafeBytes { one.hash($0) })
        }
        seen.insert(h(one, text))
        #expect(seen.count == 2 * bytes.count + 1)
    }
}
