import DHCPWireKit
import DHCPv4
import Glibc
import ShadowTesting
import Testing

/// `kill -9` of one worker: the master starts a new one (new pid, next generation) that answers
/// within a second, while the other worker keeps its pid and answers throughout.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct WorkerRestartTests {
    /// One question to one worker: a DISCOVER (v4) or a SOLICIT (v6) for the MAC/DUID subscriber.
    struct Prober {
        let relay4: RelayV4
        let relay6: RelayV6

        func answered(_ kind: String, timeout: Duration) throws -> Bool {
            if kind == "v4" {
                let discover = DHCPv4PacketBuilder.discover(mac: Fixtures.macSubscriberMAC, xid: Fixtures.xid())
                return try relay4.exchange(discover, timeout: timeout)?.messageType == DHCPv4Reply.offer
            }
            let solicit = DHCPv6Packet.solicit(duid: Fixtures.macSubscriberDUID, xid: Fixtures.xid())
            return try relay6.exchange(solicit, timeout: timeout)?.type == DHCPv6Reply.advertise
        }
    }

    @Test(arguments: ["v4", "v6"])
    func killedWorkerIsReplacedWhileTheOtherKeepsServing(_ victimKind: String) async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations) {
            $0.rateLimits = ServerConfigFile.noRateLimits  // the probes ask for one client every 50 ms
        }
        let prober = Prober(relay4: try RelayV4(server: directory.v4Server),
                            relay6: try RelayV6(server: directory.v6Server))
        let otherKind = victimKind == "v4" ? "v6" : "v4"
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            let victim = try #require(master.servingWorker(victimKind))
            let other = try #require(master.servingWorker(otherKind))
            #expect(try prober.answered(victimKind, timeout: .seconds(3)))
            #expect(try prober.answered(otherKind, timeout: .seconds(3)))

            let killedAt = monotonicMilliseconds()
            #expect(kill(victim.pid, SIGKILL) == 0)
            // Ask the victim's protocol every 50 ms; in every round the other worker must answer.
            var answeredAfter: UInt64?
            var otherUnanswered = 0
            let deadline = Deadline(after: .seconds(5))
            while answeredAfter == nil && !deadline.hasPassed {
                if try !prober.answered(otherKind, timeout: .seconds(2)) { otherUnanswered += 1 }
                if try prober.answered(victimKind, timeout: .milliseconds(50)) {
                    answeredAfter = monotonicMilliseconds() - killedAt
                }
            }
            #expect(otherUnanswered == 0, "the \(otherKind) worker missed \(otherUnanswered) requests")
            let after = try #require(answeredAfter, "the \(victimKind) worker never came back\n\(master.output.tail())")
            #expect(after < 1000, "first answer \(after) ms after the kill")

            let replacement = try await master.waitForWorker(victimKind, newerThan: victim.generation)
            #expect(replacement.pid != victim.pid)
            #expect(replacement.generation == victim.generation + 1)
            #expect(master.lines.contains {
                $0.process == "master" && $0.message == "\(victimKind) worker exited" && $0.pid == victim.pid
                    && $0["status"] == "killed by signal 9"
            })
            // The other worker was never touched.
            #expect(master.servingWorker(otherKind) == other)
            #expect(ProcFS.isRunning(other.pid))
            #expect(ProcFS.parent(of: other.pid) == master.pid)
            #expect(!master.lines.contains { $0.message == "\(otherKind) worker exited" })
        }
    }

    /// A worker that keeps dying is restarted after 100 ms, then 200, then 400 (doubling).
    @Test func repeatedCrashesBackOff() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations)
        let relay4 = try RelayV4(server: directory.v4Server)
        try await withMaster(directory) { master in
            var worker = try await master.waitForWorker("v4")
            for _ in 0..<3 {
                #expect(kill(worker.pid, SIGKILL) == 0)
                worker = try await master.waitForWorker("v4", newerThan: worker.generation)
            }
            let delays = master.lines.filter { $0.message.hasPrefix("restarting the v4 worker in ") }.map(\.message)
            #expect(delays == ["restarting the v4 worker in 100 ms", "restarting the v4 worker in 200 ms",
                               "restarting the v4 worker in 400 ms"])
            #expect(worker.generation == 4)
            let offer = try relay4.exchange(.discover(mac: Fixtures.macSubscriberMAC, xid: Fixtures.xid()))
            #expect(offer?.messageType == DHCPv4Reply.offer)
        }
    }
}
