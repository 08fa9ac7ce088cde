import DHCPWireKit
import DHCPv4
import Glibc
import ShadowTesting
import Testing

/// The other ways a master ends.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct SignalTests {
    @Test func sigintStopsCleanlyLikeSigterm() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations)
        try await withMaster(directory) { master in
            let (v4, v6) = try await master.waitUntilServing()
            try master.send(SIGINT)
            #expect(try await master.waitForExit(timeout: .seconds(5)) == .exited(0), "\(master.output.tail())")
            #expect(!ProcFS.isRunning(v4.pid) && !ProcFS.isRunning(v6.pid))
            #expect(Files.exists(directory.bindingsFile))
        }
    }

    /// A master that dies without cleaning up takes its workers with it (their parent-death
    /// signal), so nothing keeps answering on the sockets.
    @Test func workersDieWithAKilledMaster() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations)
        let relay4 = try RelayV4(server: directory.v4Server)
        try await withMaster(directory) { master in
            let (v4, v6) = try await master.waitUntilServing()
            try master.send(SIGKILL)
            #expect(try await master.waitForExit(timeout: .seconds(5)) == .signaled(SIGKILL))
            _ = try await eventually(timeout: .seconds(5), "the workers to die with the master") {
                !ProcFS.isRunning(v4.pid) && !ProcFS.isRunning(v6.pid) ? true : nil
            }
            let discover = DHCPv4PacketBuilder.discover(mac: Fixtures.macSubscriberMAC, xid: Fixtures.xid())
            #expect(try relay4.exchange(discover, timeout: .milliseconds(300)) == nil)
        }
    }
}
