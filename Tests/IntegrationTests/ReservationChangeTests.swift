import Foundation
import Glibc
import Dispatch
import Synchronization
import ShadowCore
import ShadowTesting
import Testing

/// `reservation-add/update/delete/get` through the real master: persisted, published, answered.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct ReservationChangeTests {
    static func json(_ n: Int) -> String {
        #"{"ipv4":"198.51.100.\#(n)","ipv6_na":"2001:db8:1::\#(n)","ipv6_pd":"2001:db8:\#(n)00::/56","mac":"00-11-22-33-44-55","duid":"00:03:00:01:00:11:22:33:44:55"}"#
    }

    /// The response's `snapshot_digest`.
    static func digest(_ response: String) -> String? {
        guard let r = response.range(of: #""snapshot_digest":""#) else { return nil }
        return String(response[r.upperBound...].prefix(16))
    }

    @Test func addUpdateDeleteGetThroughTheRealMaster() async throws {
        let directory = try ServerDirectory(reservations: [ReloadTests.subscriber(10)]) { config in
            config.extra = [#""mgmt_socket": "\#(config.stateDir.dropLast("/state".count))/mgmt.sock""#]
        }
        let socketPath = directory.file("mgmt.sock")
        let file = directory.file("reservations.json")
        #expect(chmod(file, 0o640) == 0)
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        func ask(_ line: String) throws -> String { try ManagementTests.request(socketPath, line) }
        func onDisk() throws -> [Reservation] {
            try ReservationLoader.load(Array(FileManager.default.contents(atPath: file) ?? Data()),
                                       subnets: [SubnetV4(net: IPv4Network("198.51.100.0/24")!, gateway: IPv4Address("198.51.100.1")!)]).value
        }
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            #expect(try ReloadTests.ask(relay4, relay6) == ReloadTests.answers(10))
            let status = try ask(#"{"command":"status"}"#)
            #expect(status.hasPrefix(#"{"success":true,"message":"Status OK","reservation_count":2,"snapshot_generation":1,"snapshot_digest":""#), "\(status)")

            // Delete: persisted, published, and the workers stop answering.
            var mark = master.lines.count
            let deleted = try ask(#"{"command":"reservation-delete","mac":"00:11:22:33:44:55"}"#)
            #expect(deleted.hasPrefix(#"{"success":true,"message":"Deleted 1 reservation","reservation_count":0,"snapshot_generation":2,"#), "\(deleted)")
            try await ReloadTests.waitForSnapshot(2, master, after: mark)
            #expect(try ReloadTests.ask(relay4, relay6) == ReloadTests.Answers(yiaddr: nil, na: []))
            #expect(try onDisk().isEmpty)

            // Add: the relayed DISCOVER gets the new reservation's address.
            mark = master.lines.count
            let added = try ask(#"{"command":"reservation-add","reservation":"# + Self.json(20) + "}")
            #expect(added.hasPrefix(#"{"success":true,"message":"Added 1 reservation","reservation_count":1,"snapshot_generation":3,"#), "\(added)")
            try await ReloadTests.waitForSnapshot(3, master, after: mark)
            #expect(try ReloadTests.ask(relay4, relay6) == ReloadTests.answers(20))
            #expect(try onDisk().map(\.ipv4) == [IPv4Address("198.51.100.20")!])

            // Update by its own keys (same MAC and DUID), new addresses.
            mark = master.lines.count
            let updated = try ask(#"{"command":"reservation-update","reservation":"# + Self.json(30) + "}")
            #expect(updated.hasPrefix(#"{"success":true,"message":"Updated 1 reservation","reservation_count":1,"snapshot_generation":4,"#), "\(updated)")
            try await ReloadTests.waitForSnapshot(4, master, after: mark)
            #expect(try ReloadTests.ask(relay4, relay6) == ReloadTests.answers(30))
            #expect(try onDisk().map(\.ipv4) == [IPv4Address("198.51.100.30")!])
            var mode = stat()
            #expect(stat(file, &mode) == 0 && mode.st_mode & 0o777 == 0o640)

            // A refused change: precise error, nothing written, generation unchanged.
            let before = FileManager.default.contents(atPath: file)
            let refused = try ask(#"{"command":"reservation-add","reservations":[{"ipv4":"198.51.100.40","ipv6_na":"2001:db8:1::40","ipv6_pd":"2001:db8:4000::/56","mac":"00-11-22-33-44-55"}]}"#)
            #expect(refused == #"{"success":false,"error":"Invalid request: reservation-add.reservations[0].mac: 00-11-22-33-44-55 already used by the reservation with ipv4 198.51.100.30","errors":["reservation-add.reservations[0].mac: 00-11-22-33-44-55 already used by the reservation with ipv4 198.51.100.30"]}"# + "\n")
            #expect(FileManager.default.contents(atPath: file) == before)

            // get and status agree with the last change.
            let got = try ask(#"{"command":"reservation-get","ipv6_pd":"2001:db8:3000::/56"}"#)
            #expect(got.contains(#""reservation":{"ipv4":"198.51.100.30""#) && got.contains(#""snapshot_generation":4"#), "\(got)")
            let after = try ask(#"{"command":"status"}"#)
            #expect(after.contains(#""snapshot_generation":4"#) && Self.digest(after) == Self.digest(updated), "\(after)")
            #expect(Self.digest(after) != Self.digest(status))

            // SIGHUP reads the file the changes wrote: the same answers; a change after it applies
            // on top of the reloaded set.
            mark = master.lines.count
            try master.send(SIGHUP)
            try await ReloadTests.waitForSnapshot(5, master, after: mark)
            #expect(try ReloadTests.ask(relay4, relay6) == ReloadTests.answers(30))
            mark = master.lines.count
            let moved = try ask(#"{"command":"reservation-update","match":{"ipv4":"198.51.100.30"},"reservation":"# + Self.json(40) + "}")
            #expect(moved.hasPrefix(#"{"success":true,"message":"Updated 1 reservation","reservation_count":1,"snapshot_generation":6,"#), "\(moved)")
            try await ReloadTests.waitForSnapshot(6, master, after: mark)
            #expect(try ReloadTests.ask(relay4, relay6) == ReloadTests.answers(40))
        }
    }

    /// A burst of single changes on their own connections while SIGHUPs make other generations
    /// live: every change is answered success and none is lost. (A commit made from a stale
    /// working copy is refused by the master and applied again on top of the new snapshot; with
    /// this small set the window is narrow, so the test does not force that path.)
    @Test func changesRacingReloadsAreAllKept() async throws {
        let directory = try ServerDirectory(reservations: [ReloadTests.subscriber(10)]) { config in
            config.extra = [#""mgmt_socket": "\#(config.stateDir.dropLast("/state".count))/mgmt.sock""#, #""mgmt_max_connections": 256"#]
        }
        let socketPath = directory.file("mgmt.sock")
        let file = directory.file("reservations.json")
        let count = 24
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            let answers = Mutex<[String]>([])
            let done = DispatchGroup()
            for i in 0..<count {
                done.enter()
                DispatchQueue.global().async {
                    let n = 100 + i
                    let entry = #"{"ipv4":"198.51.100.\#(n)","ipv6_na":"2001:db8:1::\#(n)","ipv6_pd":"2001:db8:\#(n - 50)00::/56","mac":"00-00-00-00-01-\#(String(format: "%02x", i))"}"#
                    let a = (try? ManagementTests.request(socketPath, #"{"command":"reservation-add","reservation":"# + entry + "}")) ?? "no answer"
                    answers.withLock { $0.append(a) }
                    done.leave()
                }
                if i % 4 == 0 { try master.send(SIGHUP) }
                try await Task.sleep(for: .milliseconds(3))
            }
            await withCheckedContinuation { c in done.notify(queue: .global()) { c.resume() } }
            let all = answers.withLock { $0 }
            #expect(all.count == count)
            for a in all { #expect(a.hasPrefix(#"{"success":true,"message":"Added 1 reservation""#), "\(a)") }
            let onDisk = try ReservationLoader.load(Array(FileManager.default.contents(atPath: file) ?? Data()),
                                                    subnets: [SubnetV4(net: IPv4Network("198.51.100.0/24")!, gateway: IPv4Address("198.51.100.1")!)]).value
            #expect(onDisk.count == count + 1)
            let status = try ManagementTests.request(socketPath, #"{"command":"status"}"#)
            #expect(status.contains(#""reservation_count":\#(2 + count)"#), "\(status)")
        }
    }
}
