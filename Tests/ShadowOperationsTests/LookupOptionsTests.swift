import ShadowCore
import Testing
@testable import ShadowOperations

/// `lookup` shows a reservation's own options and what it gets once the levels are merged.
@Suite struct LookupOptionsTests {
    let backend = FakeBackend()
    var service: ManagementService { ManagementService(backend: backend) }

    func field(_ r: ManagementResponse, _ name: String) -> String? {
        r.extraFields.first { $0.name == name }?.json
    }

    @Test func effectiveOptionsMergeReservationSubnetAndTop() async throws {
        let config = try ConfigurationLoader.loadConfig(Array(#"""
            {"dns_v4": ["192.0.2.53"], "dns_v6": ["2001:db8::53"], "v4_lease_time": 600,
             "options_v4": {"domain_name": "isp.example", "ntp_servers": ["192.0.2.123"]},
             "options_v6": {"sol_max_rt": 3600},
             "subnets_v4": [{"net": "198.51.100.0/24", "gateway": "198.51.100.1", "v4_lease_time": 7200,
                             "options_v4": {"mtu": 1492, "always_send": ["mtu"]}}],
             "subnets_v6": [{"link": "2001:db8:1::/64", "v6_lease_time": 9000, "options_v6": {"dns_servers": ["2001:db8::35"]}}]}
            """#.utf8))
        let reservations = try ReservationLoader.load(Array(#"""
            [{"ipv4": "198.51.100.10", "ipv6_na": "2001:db8:1::10", "ipv6_pd": "2001:db8:100::/56", "mac": "00-11-22-33-44-55",
              "v4_lease_time": 86400, "options_v4": {"domain_name": "biz.example"}}]
            """#.utf8), subnets: config.subnetsV4).value
        backend.state.withLock {
            $0.config = config
            $0.snapshot = ReservationSnapshot(reservations: reservations, generation: 2)
        }
        let r = await service.handle(Array(#"{"command":"lookup","mac":"00:11:22:33:44:55"}"#.utf8))
        #expect(field(r, "v4")?.contains(#""v4_lease_time":86400,"options_v4":{"domain_name":"biz.example"}"#) == true)
        #expect(field(r, "effective_v4") == #"{"subnet":"198.51.100.0/24","lease_time":86400,"options_v4":{"domain_name":"biz.example","ntp_servers":["192.0.2.123"],"mtu":1492,"always_send":["mtu"]}}"#)
        #expect(field(r, "effective_v6") == #"{"lease_time":7200,"options_v6":{"sol_max_rt":3600},"subnets_v6":[{"link":"2001:db8:1::/64","lease_time":9000,"options_v6":{"dns_servers":["2001:db8::35"],"sol_max_rt":3600}}]}"#)
    }

    @Test func noReservationNoEffectiveOptions() async {
        let r = await service.handle(Array(#"{"command":"lookup","mac":"0a:00:00:00:00:01"}"#.utf8))
        #expect(field(r, "effective_v4") == "null")
        #expect(field(r, "effective_v6") == "null")
    }
}
