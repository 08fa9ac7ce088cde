import Glibc
import ShadowCore
import ShadowTesting
import Testing

/// A reload of a large `reservations.json` takes the entries whose bytes did not change from the
/// last reload (docs/performance.md, "Reload: entries not parsed again") and still serves every
/// change.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct ReloadReuseTests {
    /// A file of at least 4 MiB (the size from which the master keeps a memo): `first`, then 150
    /// other entries, each padded inside with white space.
    static func largeFile(first: TestReservation) -> String {
        let pad = String(repeating: " ", count: 30_000)
        let others = (1...150).map { i in
            #"{"ipv4": "198.51.100.\#(100 + i)", "ipv6_na": "2001:db8:1::\#(1000 + i)", "#
                + #""ipv6_pd": "2001:db8:beef:\#(String(i, radix: 16))00::/56",\#(pad)"#
                + #""mac": "02-00-00-00-01-\#(String(format: "%02X", i))"}"#
        }
        return "[\n" + ([first.json] + others).joined(separator: ",\n") + "\n]\n"
    }

    /// A large file loaded at start is parsed again in the background once the workers serve
    /// it, so the very first reload already takes the unchanged entries from a memo.
    @Test func theFirstReloadAfterALargeStartReusesTheStartEntries() async throws {
        let directory = try ServerDirectory(reservations: [ReloadTests.subscriber(10)])
        try directory.writeReservations(text: Self.largeFile(first: ReloadTests.subscriber(20)))
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            #expect(try ReloadTests.ask(relay4, relay6) == ReloadTests.answers(20))
            // The build starts in the master's poll round after both workers reported serving;
            // a reload that comes before that parses everything (and makes its own memo).
            try await Task.sleep(for: .milliseconds(500))
            try directory.writeReservations(text: Self.largeFile(first: ReloadTests.subscriber(30)))
            let mark = master.lines.count
            try master.send(SIGHUP)
            let (_, first) = try await master.waitForLine(after: mark, "the first reload") { $0.message == "reloaded reservations" }
            #expect(first["count"] == "151" && first["reused"] == "150")
            try await ReloadTests.waitForSnapshot(2, master, after: mark)
            #expect(try ReloadTests.ask(relay4, relay6) == ReloadTests.answers(30))
        }
    }

    @Test func aChangedEntryOfALargeFileIsServedAndTheOthersReused() async throws {
        let directory = try ServerDirectory(reservations: [ReloadTests.subscriber(10)])
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            // The first reload of a large file parses all of it and remembers it.
            try directory.writeReservations(text: Self.largeFile(first: ReloadTests.subscriber(20)))
            #expect(Self.largeFile(first: ReloadTests.subscriber(20)).utf8.count >= 4 << 20)
            var mark = master.lines.count
            try master.send(SIGHUP)
            let (_, first) = try await master.waitForLine(after: mark, "the first reload") { $0.message == "reloaded reservations" }
            #expect(first["count"] == "151" && first["reused"] == "0")
            try await ReloadTests.waitForSnapshot(2, master, after: mark)
            #expect(try ReloadTests.ask(relay4, relay6) == ReloadTests.answers(20))

            // The second takes the 150 unchanged entries from the memo and serves the changed one.
            try directory.writeReservations(text: Self.largeFile(first: ReloadTests.subscriber(30)))
            mark = master.lines.count
            try master.send(SIGHUP)
            let (_, second) = try await master.waitForLine(after: mark, "the second reload") { $0.message == "reloaded reservations" }
            #expect(second["count"] == "151" && second["reused"] == "150")
            try await ReloadTests.waitForSnapshot(3, master, after: mark)
            #expect(try ReloadTests.ask(relay4, relay6) == ReloadTests.answers(30))
        }
    }
}
