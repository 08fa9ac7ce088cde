import DHCPWireKit
import DHCPv4
import Glibc
import ShadowCore
import ShadowTesting
import Testing

/// Logging is never a reason to stop serving: a master whose stdout reader went away (a log
/// shipper that crashed, `shadow-master | head`) keeps serving, reloading and stopping cleanly.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct LogOutputTests {
    @Test func closedStdoutDoesNotStopTheServer() async throws {
        let directory = try ServerDirectory(reservations: [ReloadTests.subscriber(10)])
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        try await withMaster(directory, standardOutput: .pipe) { master in
            let (v4, v6) = try await master.waitUntilServing()
            master.output.closePipe()

            // Every step below writes log lines into the broken pipe.
            #expect(try ReloadTests.ask(relay4, relay6) == ReloadTests.answers(10))
            try directory.writeReservations([ReloadTests.subscriber(60)])
            try master.send(SIGHUP)
            let answers = try await eventually(timeout: .seconds(5), "the reloaded reservations to be served") {
                let a = try ReloadTests.ask(relay4, relay6)
                return a == ReloadTests.answers(60) ? a : nil
            }
            #expect(answers == ReloadTests.answers(60))
            #expect(try master.checkExited() == nil, "the master died: \(String(describing: master.exitStatus))")
            #expect(ProcFS.isRunning(v4.pid) && ProcFS.isRunning(v6.pid), "a worker died (and was restarted)")

            try master.send(SIGTERM)
            #expect(try await master.waitForExit(timeout: .seconds(5)) == .exited(0))
        }
    }

    /// A reader that stops reading (not closing) fills the pipe after ~64 KiB of log lines; the
    /// processes then drop (and count) log lines instead of blocking in write(2).
    @Test func stalledStdoutReaderDoesNotStopAnswers() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations) {
            $0.rateLimits = ServerConfigFile.noRateLimits  // 600 DISCOVERs from one client, back to back
        }
        let relay4 = try RelayV4(server: directory.v4Server)
        try await withMaster(directory, standardOutput: .pipe) { master in
            _ = try await master.waitUntilServing()
            // Each answer logs one line of about 250 bytes; 600 of them overflow a 64 KiB pipe.
            var unanswered = 0
            for i in 0..<600 where unanswered < 3 {
                let discover = DHCPv4PacketBuilder.discover(mac: Fixtures.macSubscriberMAC, xid: 0x0051_0000 + UInt32(i))
                if try relay4.exchange(discover, timeout: .milliseconds(300)) == nil { unanswered += 1 }
            }
            #expect(unanswered == 0, "DISCOVERs unanswered once the log pipe was full")
            _ = master.lines.count  // read the pipe, so the processes can go on and stop
        }
    }
}
