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
        }
        let prober = WorkerRestartTests.Prober(relay4: try RelayV4(server: directory.v4Server),
                                               relay6: try RelayV6(server: directory.v6Server))
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            let started = try await eventually(timeout: .seconds(5), "four workers to start") {
                master.startedWorkerPIDs.count >= 4 ? master.startedWorkerPIDs : nil
            }
            #expect(Set(started).count == 4)
            for pid in started {
                let status = try #require(ProcFS.status(pid))
                #expect(status["Uid"]?.hasPrefix("0") == false && status["CapEff"] == "0000000000000000")
            }
            for _ in 0..<10 {
                #expect(try prober.answered("v4", timeout: .seconds(2)))
                #expect(try prober.answered("v6", timeout: .seconds(2)))
            }
            // Kill one v4 worker: its sibling keeps answering at once.
            let victim = try #require(master.servingWorker("v4"))
            #expect(kill(victim.pid, SIGKILL) == 0)
            for _ in 0..<10 { #expect(try prober.answered("v4", timeout: .seconds(2))) }
        }
    }
}
