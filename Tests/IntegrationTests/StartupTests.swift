import ShadowTesting
import Testing

/// Start-up failures an operator meets: clear message, exit 1, nothing left running.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct StartupTests {
    /// docs/operations.md: a second server on the same address fails with "address in use" instead of
    /// silently sharing the port (the sockets are bound without SO_REUSEADDR).
    @Test func secondMasterOnTheSameSocketsFailsClearly() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations)
        try await withMaster(directory) { first in
            _ = try await first.waitUntilServing()
            try await withMaster(directory) { second in
                let status = try await second.waitForExit(timeout: .seconds(10))
                #expect(status == .exited(1), "\(second.output.tail())")
                #expect(second.lines.contains {
                    $0.level == "CRITICAL" && $0.message.contains("Failed to bind DHCPv4 socket to \(directory.v4Server)")
                        && $0.message.contains("ss -ulpn")
                }, "\(second.output.tail())")
                #expect(second.startedWorkerPIDs.isEmpty)
            }
            // The first one is unaffected.
            #expect(try first.checkExited() == nil)
            #expect(first.servingWorker("v4")?.generation == 1)
        }
    }
}
