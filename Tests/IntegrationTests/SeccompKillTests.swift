import Glibc
import ShadowTesting
import Testing

/// A compromised v4 worker makes a call the allow list refuses (prlimit64 on another process of
/// the account, the issue's "kill the sibling after every restart" attack). It is the sandbox
/// probe, hard-linked as `shadow-v4` next to hard links of the real master, v6 worker and ops:
/// it confines itself exactly like the real worker, reports ready, then misbehaves. The kernel
/// refuses the call, the worker's SIGSYS reporter names it on stderr, the master logs it with the
/// number and name, counts it in `workers`, and restarts the worker with backoff; v6 keeps serving.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct SeccompKillTests {
    @Test func refusedCallIsLoggedCountedAndTheWorkerRestarted() async throws {
        let build = BuildProducts.directory
        let bin = build + "/hostile-v4-\(getpid())"
        #expect(mkdir(bin, 0o755) == 0 || errno == EEXIST)
        let names = ["shadow-master", "shadow-v4", "shadow-v6", "shadow-ops"]
        defer {
            for name in names { unlink(bin + "/" + name) }
            rmdir(bin)
        }
        for (source, name) in [("shadow-master", "shadow-master"), ("shadow-sandbox-probe", "shadow-v4"),
                               ("shadow-v6", "shadow-v6"), ("shadow-ops", "shadow-ops")] {
            unlink(bin + "/" + name)
            try #require(link(try BuildProducts.executable(source), bin + "/" + name) == 0, "link \(source): \(errno)")
        }
        let directory = try ServerDirectory(reservations: Fixtures.reservations) { config in
            config.extra = [#""mgmt_socket": "\#(config.stateDir.dropLast("/state".count))/run/mgmt.sock""#]
        }
        let prober = WorkerRestartTests.Prober(relay4: try RelayV4(server: directory.v4Server),
                                               relay6: try RelayV6(server: directory.v6Server))
        try await withMaster(directory, executable: bin + "/shadow-master") { master in
            try await master.waitForLine("the refused call logged") {
                $0.process == "master" && $0.message == "v4 worker killed by seccomp"
                    && $0["syscall"] == "302 (prlimit64)" && $0["worker.generation"] == "1"
            }
            try await master.waitForLine("a second v4 started") {
                $0.process == "master" && $0.message == "started v4 worker" && $0.workerGeneration == 2
            }
            #expect(master.output.stderr.contains("shadow-v4: killed by seccomp: syscall 302 (prlimit64)"),
                    "\(master.output.tail())")
            let v6 = try await master.waitForWorker("v6", newerThan: 0)
            #expect(try prober.answered("v6", timeout: .seconds(2)))
            _ = try await master.waitForOps()
            let workers = try ManagementTests.request(directory.file("run/mgmt.sock"), #"{"command":"workers"}"#)
            #expect(workers.contains(#""protocol":"v4","#), "\(workers)")
            // v4 comes first in the list.
            let kills = workers.split(separator: #""seccomp_kills":"#).dropFirst().first?.prefix { $0.isNumber }
            #expect(kills.flatMap { Int($0) }.map { $0 >= 1 } == true, "\(workers)")
            #expect(workers.contains(#""limits":{"open_files":16,"file_size":67108864,"core_size":0,"processes":256}"#), "\(workers)")
            #expect(master.servingWorker("v6") == v6)
        }
    }
}
