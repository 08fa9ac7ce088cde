import DHCPWireKit
import DHCPv4
import ShadowCore
import ShadowTesting
import Testing

/// The master and the workers give up the pages of code only their start-up ran
/// (docs/performance.md, "Memory at 10,000, per mapping"): once serving, a process holds the code
/// it still runs, not most of its executable; the code comes back when it runs again.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct ResidentCodeTests {
    @Test func servingProcessesHoldLittleOfTheirExecutablesCodeAndStillAnswer() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations)
        let relay4 = try RelayV4(server: directory.v4Server, listeningOn67At: try Loopback.freeIPv4(port: 67))
        let relay6 = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            let (v4, v6) = try await master.waitUntilServing()
            // The master releases at the end of the poll round after the last worker's ready.
            try await Task.sleep(for: .milliseconds(300))
            // Kept before (debug build): master 44 %, workers 75 % of their code resident at this
            // point; released: 20 % and 27-29 %.
            for (name, pid, share) in [("shadow-master", master.pid, 3), ("shadow-v4", v4.pid, 2), ("shadow-v6", v6.pid, 2)] {
                let code = try #require(ProcFS.executableCode(of: pid), "\(name) is gone")
                #expect(code.sizeKiB > 0)
                #expect(code.residentKiB * share < code.sizeKiB,
                        "\(name): \(code.residentKiB) of \(code.sizeKiB) KiB of its code resident")
            }
            // The released code runs again: both protocols answer.
            let discover = DHCPv4PacketBuilder.discover(mac: Fixtures.macSubscriberMAC, xid: Fixtures.xid())
            #expect(try relay4.exchange(discover)?.yiaddr == IPv4Address("198.51.100.10")!)
            let solicit = DHCPv6Packet.solicit(duid: Fixtures.macSubscriberDUID, xid: 0x0012_3456)
            #expect(try relay6.exchange(solicit, peer: IPv6Address("fe80::1")!)?.iaNAAddresses
                    == [IPv6Address("2001:db8:1::10")!])
        }
    }
}
