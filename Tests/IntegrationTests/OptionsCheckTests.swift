import ShadowCore
import ShadowTesting
import Testing

/// `shadow-master --check` with per-level options: the levels, the merged options of the
/// reservations and how many distinct sets they use; every option error of both files at once.
@Suite(.timeLimit(.minutes(1)))
struct OptionsCheckTests {
    static func directory(config: String, reservations: String) throws -> String {
        let dir = try Files.makeTemporaryDirectory(prefix: "shadow-options-check")
        try Files.write(#"{"v4": "203.0.113.1", "v6": "00:03:00:01:02:00:5e:00:00:01"}"#, to: dir + "/ids.json")
        try Files.write(config, to: dir + "/config.json")
        try Files.write(reservations, to: dir + "/reservations.json")
        return dir
    }

    static let config = #"""
        {"dns_v4": ["192.0.2.53"], "dns_v6": ["2001:db8::53"], "user": "nobody",
         "options_v4": {"domain_name": "isp.example", "ms_classless_routes": true},
         "subnets_v4": [{"net": "198.51.100.0/24", "gateway": "198.51.100.1", "v4_lease_time": 7200,
                         "options_v4": {"mtu": 1492, "always_send": ["mtu"]}}],
         "subnets_v6": [{"link": "2001:db8:1::/64", "options_v6": {"dns_servers": ["2001:db8::35"]}}]}
        """#

    static let reservations = #"""
        [{"ipv4": "198.51.100.10", "ipv6_na": "2001:db8:1::10", "ipv6_pd": "2001:db8:100::/56", "mac": "00-11-22-33-44-55",
          "v4_lease_time": 86400, "options_v4": {"classless_routes": [{"net": "10.0.0.0/8", "router": "198.51.100.1"}]}},
         {"ipv4": "198.51.100.11", "ipv6_na": "2001:db8:1::11", "ipv6_pd": "2001:db8:101::/56", "mac": "00-11-22-33-44-56",
          "v4_lease_time": 86400, "options_v4": {"classless_routes": [{"net": "10.0.0.0/8", "router": "198.51.100.1"}]}},
         {"ipv4": "198.51.100.12", "ipv6_na": "2001:db8:1::12", "ipv6_pd": "2001:db8:102::/56", "mac": "00-11-22-33-44-57"}]
        """#

    @Test func summaryShowsLevelsMergedOptionsAndDistinctSets() async throws {
        let dir = try Self.directory(config: Self.config, reservations: Self.reservations)
        let result = try await ShadowMasterCommand.run(["--check", "--configdir", dir])
        #expect(result.exited(0), "\(result.status)\n\(result.stdout)\(result.stderr)")
        let out = result.stdout
        #expect(out.contains(#"  options_v4: {"domain_name":"isp.example"} (ms_classless_routes: 121 also sent as 249)"#), "\(out)")
        #expect(out.contains(#"  subnet 198.51.100.0/24: v4_lease_time 7200, options_v4 {"mtu":1492,"always_send":["mtu"]}"#))
        #expect(out.contains("  option sets: 1 distinct options_v4, 0 distinct options_v6"))
        #expect(out.contains(#"  2 reservations like 198.51.100.10: v4 {"subnet":"198.51.100.0/24","lease_time":86400,"options_v4":{"domain_name":"isp.example","mtu":1492,"classless_routes":[{"net":"10.0.0.0/8","router":"198.51.100.1"}],"always_send":["mtu"]}}"#))
        #expect(out.contains(#""subnets_v6":[{"link":"2001:db8:1::/64","lease_time":43200,"options_v6":{"dns_servers":["2001:db8::35"]}}]"#))
    }

    @Test func everyOptionErrorOfBothFilesIsListed() async throws {
        let config = Self.config.replacingOccurrences(of: #""mtu": 1492"#, with: #""mtu": 14"#)
            .replacingOccurrences(of: #""link": "2001:db8:1::/64""#, with: #""link": "2001:db8:1::""#)
        let reservations = Self.reservations.replacingOccurrences(of: #""net": "10.0.0.0/8", "router": "198.51.100.1"}]}},"#,
                                                                  with: #""net": "10.0.0.1/8", "router": "198.51.100.1"}]}},"#)
        let dir = try Self.directory(config: config, reservations: reservations)
        let result = try await ShadowMasterCommand.run(["--check", "--configdir", dir])
        #expect(result.exited(1), "\(result.stdout)")
        #expect(result.stdout.contains("4 problems; nothing would be served"), "\(result.stdout)")
        #expect(result.stdout.contains("config.json: subnets_v4[0].options_v4.mtu: must be between 68 and 65535, got 14"))
        #expect(result.stdout.contains(#"config.json: subnets_v6[0].link: invalid IPv6 prefix "2001:db8:1::""#))
        for i in 0...1 {
            #expect(result.stdout.contains("reservations.json[\(i)].options_v4.classless_routes[0].net: 10.0.0.1/8 has host bits set; write 10.0.0.0/8"))
        }
    }
}
