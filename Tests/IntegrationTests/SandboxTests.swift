import ShadowTesting
import Testing

/// What the kernel says about each running worker (docs/privileges.md, "Auditing a running worker").
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct SandboxTests {
    @Test func workersRunConfinedAccordingToProc() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations)
        try await withMaster(directory) { master in
            let (v4, v6) = try await master.waitUntilServing()
            for worker in [v4, v6] {
                let status = try #require(ProcFS.status(worker.pid), "\(worker) has no /proc entry")
                #expect(status["PPid"] == String(master.pid), "\(worker) is not the master's child")
                for key in ["Uid", "Gid"] {
                    let ids = try #require(status[key]).split(whereSeparator: { $0 == "\t" || $0 == " " })
                    #expect(ids.count == 4, "\(worker) \(key): \(ids)")
                    #expect(!ids.contains("0"), "\(worker) \(key) has a 0: \(ids)")
                }
                for key in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
                    #expect(status[key] == "0000000000000000", "\(worker) \(key) = \(status[key] ?? "missing")")
                }
                #expect(status["NoNewPrivs"] == "1", "\(worker)")
                #expect(status["Seccomp"] == "2", "\(worker)")
            }
        }
    }
}
