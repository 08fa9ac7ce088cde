import Foundation
import Glibc
import ShadowCore
import ShadowTesting
import Testing

/// Management `replace` against the real master (docs/management.md, "`replace`"): its set is
/// live in both workers before `reservations.json` is written, the answer waits for the file, and
/// anything that reads the file meanwhile reads the replaced one.
@Suite(.needsRoot, .timeLimit(.minutes(2)))
struct ReplaceTests {
    static func withManagement() throws -> ServerDirectory {
        try ServerDirectory(reservations: [ReloadTests.subscriber(10)]) { config in
            config.extra = [#""mgmt_socket": "\#(config.stateDir.dropLast("/state".count))/mgmt.sock""#]
        }
    }

    /// A `replace` request of `first` and `others` more entries, on one line (addresses in
    /// 100.64.0.0/10, a `subnets_v4` net of the test configuration).
    static func request(first: TestReservation, others: Int) -> String {
        let more = (0..<others).map { i in
            let mac = (0..<4).map { String(format: "%02X", (i >> (8 * (3 - $0))) & 0xFF) }.joined(separator: "-")
            return #"{"ipv4":"100.64.\#(1 + i >> 8).\#(i & 0xFF)","ipv6_na":"2001:db8:5::\#(String(i, radix: 16))","#
                + #""ipv6_pd":"2001:db8:\#(String(0x6000 + i >> 8, radix: 16)):\#(String(format: "%02x", i & 0xFF))00::/56","#
                + #""mac":"02-00-\#(mac)"}"#
        }
        return #"{"command":"replace","reservations":["# + ([first.json] + more).joined(separator: ",") + "]}"
    }

    @Test func theWorkersServeTheSetBeforeItsFileIsWrittenAndTheAnswerWaitsForTheFile() async throws {
        let directory = try Self.withManagement()
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            _ = try await master.waitForOps()
            let mark = master.lines.count
            let answer = try ManagementTests.request(directory.file("mgmt.sock"), Self.request(first: ReloadTests.subscriber(20), others: 0))
            #expect(answer == #"{"success":true,"message":"Replaced with 1 reservations","reservation_count":1}"# + "\n")
            // Answered once written: the file holds the new set.
            let persisted = try #require(Files.read(directory.file("reservations.json")))
            #expect(String(decoding: persisted, as: UTF8.self).contains(#""ipv4": "198.51.100.20""#))
            // Served by both workers before the master wrote it.
            let lines = master.lines
            let written = try #require(lines[mark...].firstIndex { $0.message == "replaced reservations via management and persisted to disk" })
            for kind in ["v4", "v6"] {
                let applied = try #require(lines[mark...].firstIndex {
                    $0.process == kind && $0.message == "\(kind) worker applied snapshot" && $0["snapshot.generation"] == "2"
                }, "\(kind)")
                #expect(applied < written, "\(kind) applied the set after it was written")
            }
            // Where the time went.
            let line = lines[written]
            #expect(line["count"] == "1" && line["snapshot.generation"] == "2")
            for phase in ["decode_ms", "validate_ms", "encode_ms", "wait_ms", "write_ms"] {
                #expect(line[phase].flatMap { UInt64($0) } != nil, "\(phase)")
            }
            #expect(try ReloadTests.ask(relay4, relay6) == ReloadTests.answers(20))

            // The next change starts from the working copy the write built (neither decoded nor
            // formatted again), and the file then holds both entries.
            let other = TestReservation(ipv4: "198.51.100.30", ipv6NA: "2001:db8:1::30", ipv6PD: "2001:db8:3000::/56",
                                        mac: "00-11-22-33-44-66", duid: "00:03:00:01:00:11:22:33:44:66")
            let added = try ManagementTests.request(directory.file("mgmt.sock"),
                                                    #"{"command":"reservation-add","reservation":\#(other.json)}"#)
            #expect(added.hasPrefix(#"{"success":true"#), "\(added)")
            let (_, committed) = try await master.waitForLine(after: written, "the commit") {
                $0.message == "reservation changes committed and persisted to disk"
            }
            #expect(committed["copy"] == "kept" && committed["count"] == "2")
            let both = String(decoding: try #require(Files.read(directory.file("reservations.json"))), as: UTF8.self)
            #expect(both.contains(#""ipv4": "198.51.100.20""#) && both.contains(#""ipv4": "198.51.100.30""#))
        }
    }

    /// A SIGHUP while a replace's file is not written yet waits for it and reads the replaced file:
    /// the reload neither brings the old set back nor leaves the file and the live set apart.
    @Test func aSighupDuringTheWriteReadsTheReplacedFile() async throws {
        let directory = try Self.withManagement()
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        let count = 30_000
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            _ = try await master.waitForOps()
            let mark = master.lines.count
            let socket = directory.file("mgmt.sock"), request = Self.request(first: ReloadTests.subscriber(20), others: count - 1)
            let replace = Task.detached { try ManagementTests.request(socket, request) }
            // Live in one worker: the file is written only once both serve it.
            try await master.waitForLine(after: mark, timeout: .seconds(60), "a worker applying snapshot 2") {
                $0.message.hasSuffix("worker applied snapshot") && $0["snapshot.generation"] == "2"
            }
            try master.send(SIGHUP)
            #expect(try await replace.value
                    == #"{"success":true,"message":"Replaced with \#(count) reservations","reservation_count":\#(count)}"# + "\n")
            let (_, reloaded) = try await master.waitForLine(after: mark, timeout: .seconds(60), "the reload") {
                $0.message == "reloaded reservations"
            }
            #expect(reloaded["count"] == "\(count)")
            try await ReloadTests.waitForSnapshot(3, master, after: mark)
            #expect(try ReloadTests.ask(relay4, relay6) == ReloadTests.answers(20))
            let persisted = try #require(Files.read(directory.file("reservations.json")))
            #expect(String(decoding: persisted, as: UTF8.self).contains(#""ipv4": "198.51.100.20""#))
        }
    }
}
