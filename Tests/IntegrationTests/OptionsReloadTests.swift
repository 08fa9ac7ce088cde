import DHCPWireKit
import DHCPv4
import Glibc
import ShadowCore
import ShadowTesting
import Testing

/// Reservations with options reach the sandboxed workers (snapshot version 3, its option sets
/// checked by each worker) and are served; a reload with an invalid option keeps the old set.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct OptionsReloadTests {
    static func file(ipv4: Int, mtu: Int) -> String {
        """
        [{"ipv4": "198.51.100.\(ipv4)", "ipv6_na": "2001:db8:1::\(ipv4)", "ipv6_pd": "2001:db8:\(ipv4)00::/56",
          "mac": "00-11-22-33-44-55", "duid": "00:03:00:01:00:11:22:33:44:55", "v4_lease_time": 86400,
          "options_v4": {"mtu": \(mtu), "domain_search": ["isp.example"], "always_send": ["mtu"]},
          "options_v6": {"ntp_servers": ["2001:db8::123"]}}]

        """
    }

    static func yiaddr(_ relay4: RelayV4) throws -> IPv4Address? {
        try relay4.exchange(.discover(mac: Fixtures.macSubscriberMAC, xid: Fixtures.xid()))?.yiaddr
    }

    static func na(_ relay6: RelayV6) throws -> [IPv6Address] {
        try relay6.exchange(DHCPv6Packet.solicit(duid: Fixtures.macSubscriberDUID, xid: Fixtures.xid()))?.iaNAAddresses ?? []
    }

    @Test func workersServeReservationsWithOptionsAndABadReloadKeepsThem() async throws {
        let directory = try ServerDirectory(reservations: []) {
            $0.extra = [#""options_v4": {"domain_name": "isp.example", "ms_classless_routes": true}"#,
                        #""options_v6": {"sol_max_rt": 3600}"#]
        }
        try directory.writeReservations(text: Self.file(ipv4: 10, mtu: 1492))
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            #expect(try Self.yiaddr(relay4) == IPv4Address("198.51.100.10"))
            #expect(try Self.na(relay6) == [IPv6Address("2001:db8:1::10")!])

            try directory.writeReservations(text: Self.file(ipv4: 20, mtu: 20))
            let mark = master.lines.count
            try master.send(SIGHUP)
            try await master.waitForLine(after: mark, "the option error") {
                $0.level == "ERROR" && $0.message.hasPrefix("reservations.json[0].options_v4.mtu: must be between 68 and 65535")
            }
            #expect(try Self.yiaddr(relay4) == IPv4Address("198.51.100.10"))

            try directory.writeReservations(text: Self.file(ipv4: 30, mtu: 1500))
            let fixed = master.lines.count
            try master.send(SIGHUP)
            for kind in ["v4", "v6"] {
                try await master.waitForLine(after: fixed, "\(kind) applying snapshot 2") {
                    $0.process == kind && $0.message == "\(kind) worker applied snapshot" && $0["snapshot.generation"] == "2"
                }
            }
            #expect(try Self.yiaddr(relay4) == IPv4Address("198.51.100.30"))
            #expect(try Self.na(relay6) == [IPv6Address("2001:db8:1::30")!])
        }
    }
}
