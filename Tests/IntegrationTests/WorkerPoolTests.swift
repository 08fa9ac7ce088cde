import DHCPv4
import Glibc
import ShadowTesting
import Testing

/// `workers_v4` / `workers_v6`: several sandboxed workers per protocol share its socket; losing one
/// leaves the others answering while the master replaces it.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct WorkerPoolTests {
    @Test func twoWorkersPerProtocolShareTheSocketAndCoverForEachOther() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations) {
            $0.extra = [#""workers_v4": 2"#, #""workers_v6": 2"#]
            $0.rateLimits = ServerConfigFile.noRateLimits  // 20 probes of one client back to back
        }
        let prober = WorkerRestartTests.Prober(relay4: try RelayV4(server: directory.v4Server),
                                               relay6: try RelayV6(server: directory.v6Server))
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            // Wait until all four passed the master's audit (a worker is root for a moment after
            // its spawn, before its own privilege drop).
            let ready = try await eventually(timeout: .seconds(5), "four workers ready") {
                let pids = master.lines.filter { $0.process == "master" && $0.message.hasSuffix("worker ready") }
                    .compactMap(\.pid)
                return pids.count >= 4 ? pids : nil
            }
            #expect(Set(ready).count == 4)
            #expect(Set(ready) == Set(master.startedWorkerPIDs))
            for pid in ready {
                let status = try #require(ProcFS.status(pid))
                #expect(status["Uid"]?.hasPrefix("0") == false && status["CapEff"] == "0000000000000000")
            }
            for _ in 0..<10 {
                #expect(try prober.answered("v4", timeout: .seconds(2)))
                #expect(try prober.answered("v6", timeout: .seconds(2)))
            }
            // Kill one v4 worker: once it is gone, its sibling keeps answering at once. (A datagram
            // sent while the victim is still dying can wake it in its recvmmsg and die with it, as
            // with any crash; the client's retransmission would reach the sibling.)
            let victim = try #require(master.servingWorker("v4"))
            #expect(kill(victim.pid, SIGKILL) == 0)
            _ = try await eventually(timeout: .seconds(2), "the killed worker is gone") {
                ProcFS.isRunning(victim.pid) ? nil : true
            }
            for _ in 0..<10 { #expect(try prober.answered("v4", timeout: .seconds(2))) }
        }
    }
}
