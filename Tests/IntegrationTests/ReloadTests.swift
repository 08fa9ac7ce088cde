import DHCPWireKit
import DHCPv4
import Glibc
import ShadowCore
import ShadowTesting
import Testing

/// Kea's `dynamic_reconfiguration_test` pattern with SIGHUP: change → new answers; break → old
/// answers and every problem in the log; fix → new answers again.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct ReloadTests {
    static func subscriber(_ n: Int) -> TestReservation {
        TestReservation(ipv4: "198.51.100.\(n)", ipv6NA: "2001:db8:1::\(n)", ipv6PD: "2001:db8:\(n)00::/56",
                        mac: "00-11-22-33-44-55", duid: "00:03:00:01:00:11:22:33:44:55")
    }

    /// Several problems, each in a different entry and field.
    static let brokenFile = """
        [
          {"ipv4": "198.51.100.300", "ipv6_na": "2001:db8:1::30", "ipv6_pd": "2001:db8:3000::/56", "mac": "00-11-22-33-44-55"},
          {"ipv4": "198.51.100.31", "ipv6_na": "2001:db8:1::31", "mac": "00-11-22-33-44-56"},
          {"ipv4": "198.51.100.32", "ipv6_na": "2001:db8:1::32", "ipv6_pd": "2001:db8:3200::/56", "mac": "00-11-22-33-44-5G"},
          {"ipv4": "203.0.113.33", "ipv6_na": "2001:db8:1::33", "ipv6_pd": "2001:db8:3300::/56", "mac": "00-11-22-33-44-57"}
        ]

        """
    /// What the log must name for `brokenFile`: file, index, field.
    static let expectedProblems = ["reservations.json[0].ipv4", "reservations.json[1].ipv6_pd",
                                   "reservations.json[2].mac", "reservations.json[3].ipv4"]

    struct Answers: Equatable, CustomStringConvertible {
        var yiaddr: IPv4Address?
        var na: [IPv6Address]
        var description: String { "yiaddr \(yiaddr.map(String.init(describing:)) ?? "none"), IA_NA \(na)" }
    }

    static func ask(_ relay4: RelayV4, _ relay6: RelayV6) throws -> Answers {
        let offer = try relay4.exchange(.discover(mac: Fixtures.macSubscriberMAC, xid: Fixtures.xid()))
        let advertise = try relay6.exchange(DHCPv6Packet.solicit(duid: Fixtures.macSubscriberDUID, xid: Fixtures.xid()))
        return Answers(yiaddr: offer?.yiaddr, na: advertise?.iaNAAddresses ?? [])
    }

    static func answers(_ n: Int) -> Answers {
        Answers(yiaddr: IPv4Address("198.51.100.\(n)")!, na: [IPv6Address("2001:db8:1::\(n)")!])
    }

    /// Waits until both workers applied snapshot `generation`.
    static func waitForSnapshot(_ generation: Int, _ master: MasterProcess, after: Int) async throws {
        for kind in ["v4", "v6"] {
            try await master.waitForLine(after: after, "\(kind) applying snapshot \(generation)") {
                $0.process == kind && $0.message == "\(kind) worker applied snapshot"
                    && $0["snapshot.generation"] == String(generation)
            }
        }
    }

    @Test func sighupReloadsKeepsOldOnErrorsAndRecovers() async throws {
        let directory = try ServerDirectory(reservations: [Self.subscriber(10)])
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            #expect(try Self.ask(relay4, relay6) == Self.answers(10))

            // 1. A changed file: new answers from both workers.
            try directory.writeReservations([Self.subscriber(20)])
            var mark = master.lines.count
            try master.send(SIGHUP)
            try await Self.waitForSnapshot(2, master, after: mark)
            #expect(try Self.ask(relay4, relay6) == Self.answers(20))

            // 2. A broken file: every problem logged, the old reservations still served.
            try directory.writeReservations(text: Self.brokenFile)
            mark = master.lines.count
            try master.send(SIGHUP)
            let (failedAt, failed) = try await master.waitForLine(after: mark, "the reload failure") {
                $0.level == "ERROR" && $0.message.hasPrefix("failed to reload reservations")
            }
            #expect(failed.message.contains("\(Self.expectedProblems.count) problem(s)"))
            for problem in Self.expectedProblems {
                try await master.waitForLine(after: failedAt, timeout: .seconds(5), "an error line for \(problem)") {
                    $0.level == "ERROR" && $0.message.hasPrefix(problem + ":")
                }
            }
            #expect(try Self.ask(relay4, relay6) == Self.answers(20))
            #expect(!master.lines[mark...].contains { $0.message.hasSuffix("worker applied snapshot") })

            // 3. The file fixed: new answers again.
            try directory.writeReservations([Self.subscriber(40)])
            mark = master.lines.count
            try master.send(SIGHUP)
            try await Self.waitForSnapshot(3, master, after: mark)
            #expect(try Self.ask(relay4, relay6) == Self.answers(40))
            // No worker was restarted by any of it.
            #expect(master.servingWorker("v4")?.generation == 1)
            #expect(master.servingWorker("v6")?.generation == 1)
        }
    }

    /// A worker started after a reload serves the reloaded reservations.
    @Test func workerRestartedAroundAReloadServesTheNewReservations() async throws {
        let directory = try ServerDirectory(reservations: [Self.subscriber(10)])
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            let v4 = try await master.waitForWorker("v4")
            try directory.writeReservations([Self.subscriber(50)])
            #expect(kill(v4.pid, SIGKILL) == 0)
            try master.send(SIGHUP)  // inside the 100 ms before the restart
            try await master.waitForLine("the reload") { $0.message == "reloaded reservations" }
            let replacement = try await master.waitForWorker("v4", newerThan: v4.generation)
            try await master.waitForLine("the new v4 worker on snapshot 2") {
                $0.process == "v4" && $0.workerGeneration == replacement.generation
                    && $0.message == "v4 worker applied snapshot" && $0["snapshot.generation"] == "2"
            }
            try await master.waitForLine("the v6 worker on snapshot 2") {
                $0.process == "v6" && $0.message == "v6 worker applied snapshot" && $0["snapshot.generation"] == "2"
            }
            #expect(try Self.ask(relay4, relay6) == Self.answers(50))
        }
    }
}
