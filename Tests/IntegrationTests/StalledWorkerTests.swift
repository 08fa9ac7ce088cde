import DHCPWireKit
import DHCPv4
import Glibc
import ShadowCore
import ShadowTesting
import Testing

/// The master never blocks on a worker: messages for a worker that does not read (here: stopped
/// with SIGSTOP) wait in the master's outbox, the master keeps serving signals and the other
/// worker, and the stalled worker gets everything once it runs again.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct StalledWorkerTests {
    @Test func bindingUpdatesForAStoppedV6WorkerQueueWithoutBlockingTheMaster() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations)
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            let (_, v6) = try await master.waitUntilServing()
            #expect(kill(v6.pid, SIGSTOP) == 0)
            defer { _ = kill(v6.pid, SIGCONT) }

            // 5,000 new bindings: far more binding-update messages than the channel holds (~3,500).
            var last = MACAddress(value: 0)
            for i in 0..<5000 {
                last = MACAddress(value: 0x0200_5E20_0000 + UInt64(i))
                let request = DHCPv4PacketBuilder.request(mac: last, xid: Fixtures.xid(),
                                                          address: IPv4Address("100.64.0.11")!,
                                                          server: Fixtures.serverIDv4, option82: Fixtures.relayKey)
                let ack = try #require(try relay4.exchange(request), "ACK \(i) missing\n\(master.output.tail())")
                #expect(ack.messageType == DHCPv4Reply.ack)
            }
            // The master still handles signals while the v6 worker's messages pile up.
            let mark = master.lines.count
            try master.send(SIGHUP)
            try await master.waitForLine(after: mark, timeout: .seconds(5), "the reload") {
                $0.process == "master" && $0.message == "reloaded reservations"
            }
            #expect(ProcFS.isRunning(v6.pid), "the stopped worker was given up on")

            // Running again, the v6 worker catches up and serves the last MAC learned.
            #expect(kill(v6.pid, SIGCONT) == 0)
            let reply = try await eventually(timeout: .seconds(10), "the last binding at the v6 worker") {
                try relay6.exchange(DHCPv6Packet.solicit(duid: Fixtures.relaySubscriberDUID, xid: Fixtures.xid()),
                                    peer: IPv6Address("fe80::1")!,
                                    options: [DHCPv6Packet.clientLinkLayerAddress(last)], timeout: .milliseconds(300))
            }
            Scenarios.expectRelaySubscriberLeases(reply)
            #expect(master.servingWorker("v6")?.pid == v6.pid, "the v6 worker was restarted")
        }
    }
}
