import Testing
@testable import ShadowCore

@Suite("config.json: defaults and full example")
struct ConfigDefaultsTests {
    @Test func minimalConfigGetsEveryDefault() throws {
        let c = try #require(config(""))
        #expect(c == ServerConfig(dnsV4: [IPv4Address(192, 0, 2, 53)], dnsV6: [IPv6Address("2001:db8::53")!],
                                  subnetsV4: []))
        #expect(c.macExtractors == [.clientLinklayerAddress])
        #expect(c.leases == LeaseTimes(v4Lease: 3600))
        #expect(c.logging == LoggingSettings(level: .info, stdout: true, file: nil))
        #expect(c.events == EventSettings(queueSize: 16384))
        #expect(c.v4BindAddress == .v4(.any, port: 67))
        #expect(c.v6BindAddress == .v6(.any, port: 547))
        #expect(c.user == "nobody")
        #expect(c.stateDir == "/var/lib/shadowdhcp")
        #expect(c.bindingTableSize == 1_000_000)
        #expect(c.mgmtAddress == nil && c.mgmtSocket == nil)
    }

    @Test func appendixBExample() throws {
        let text = """
            {
              "dns_v4": ["192.0.2.53"],
              "dns_v6": ["2001:db8::53"],
              "subnets_v4": [{"net": "198.51.100.0/24", "gateway": "198.51.100.1", "reply_prefix_len": 32}],
              "option82_extractors": ["remote_only", "normalize_remote_mac"],
              "option1837_extractors": ["remote_only"],
              "mac_extractors": ["client_linklayer_address", "peer_addr_eui64"],
              "logging": {"level": "info"},
              "events": {"tcp": "127.0.0.1:9000"},
              "mgmt_address": "127.0.0.1:8547"
            }
            """
        let c = try loadConfig(text).get()
        #expect(c.subnetsV4 == [SubnetV4(net: IPv4Network("198.51.100.0/24")!, gateway: IPv4Address(198, 51, 100, 1),
                                         replyPrefixLength: 32)])
        #expect(c.option82Extractors == [.remoteOnly, .normalizeRemoteMAC])
        #expect(c.option1837Extractors == [.remoteOnly])
        #expect(c.macExtractors == [.clientLinklayerAddress, .peerAddrEUI64])
        #expect(c.events.tcp == .v4(IPv4Address(127, 0, 0, 1), port: 9000))
        #expect(c.mgmtAddress == .v4(IPv4Address(127, 0, 0, 1), port: 8547))
    }

    @Test func everyOptionalField() throws {
        let c = try #require(config("""
            "v4_lease_time": 7200, "v6_lease_time": 86400,
            "logging": {"level": "DEBUG", "stdout": false, "file": {"path": "/var/log/shadowdhcp", "max_files": 7}},
            "events": {"queue_size": 10, "tcp": "[::1]:9000",
                       "clickhouse": {"url": "https://192.0.2.8:8443", "user": "u", "password": "p", "hostname": "h1"}},
            "mgmt_address": "[::1]:8547", "mgmt_socket": "/run/shadowdhcp/mgmt.sock",
            "v4_bind_address": "192.0.2.1:6767", "v6_bind_address": "[2001:db8::1]:5547",
            "user": "dhcp", "state_dir": "/srv/state", "binding_table_size": 5,
            "metrics_address": "127.0.0.1:9547", "mgmt_max_request_bytes": 1048576,
            "workers_v4": 2, "workers_v6": 3
            """))
        #expect(c.leases == LeaseTimes(v4Lease: 7200, v6Valid: 86400))
        #expect(c.logging == LoggingSettings(level: .debug, stdout: false,
                                             file: .init(path: "/var/log/shadowdhcp", maxFiles: 7)))
        #expect(c.events == EventSettings(queueSize: 10, tcp: .v6(.loopback, port: 9000),
                                          clickhouse: .init(url: "https://192.0.2.8:8443", user: "u", password: "p",
                                                            database: "dhcp", hostname: "h1")))
        #expect(c.mgmtAddress == .v6(.loopback, port: 8547))
        #expect(c.mgmtSocket == "/run/shadowdhcp/mgmt.sock")
        #expect(c.v4BindAddress == .v4(IPv4Address(192, 0, 2, 1), port: 6767))
        #expect(c.v6BindAddress == .v6(IPv6Address("2001:db8::1")!, port: 5547))
        #expect(c.user == "dhcp" && c.stateDir == "/srv/state" && c.bindingTableSize == 5)
        #expect(c.metricsAddress == .v4(IPv4Address(127, 0, 0, 1), port: 9547))
        #expect(c.mgmtMaxRequestBytes == 1_048_576)
        #expect(c.workersV4 == 2 && c.workersV6 == 3)
    }

    @Test func nullMeansOmitted() throws {
        let c = try #require(config("""
            "option82_extractors": null, "v4_lease_time": null, "logging": null, "events": null,
            "mgmt_address": null, "user": null, "binding_table_size": null
            """))
        #expect(c == (try #require(config(""))))
    }

    @Test func replyPrefixLengthDefaultsToTheNet() throws {
        let s = try loadConfig(#"{"dns_v4":["1.1.1.1"],"dns_v6":["::1"],"subnets_v4":[{"net":"10.0.0.7/8","gateway":"192.0.2.1"}]}"#).get()
        #expect(s.subnetsV4[0].replyPrefixLength == 8)
        #expect(s.subnetsV4[0].net.address == IPv4Address(10, 0, 0, 7))  // host bits kept
    }
}

@Suite("config.json: lease timers")
struct ConfigLeaseTests {
    @Test("derived timers", arguments: [
        // v4, v6, v4 T1, v4 T2, v6 valid, v6 preferred, v6 T1, v6 T2
        ("", [3600, 1800, 3150, 43200, 21600, 10800, 17280]),
        (#""v4_lease_time": 7"#, [7, 3, 6, 84, 42, 21, 33]),
        (#""v4_lease_time": 0"#, [0, 0, 0, 0, 0, 0, 0]),
        (#""v4_lease_time": 3600, "v6_lease_time": 7200"#, [3600, 1800, 3150, 7200, 3600, 1800, 2880]),
        (#""v4_lease_time": 4294967295"#, [4294967295, 4294967295, 4294967295, 4294967295, 4294967295,
                                            4294967295, 4294967295]),
        (#""v4_lease_time": 4294967294"#, [4294967294, 2147483647, 3758096382, 4294967295, 4294967295,
                                            4294967295, 4294967295]),
        (#""v4_lease_time": 700000000"#, [700000000, 350000000, 612500000, 4294967295, 4294967295,
                                           4294967295, 4294967295]),
        (#""v6_lease_time": 4294967294"#, [3600, 1800, 3150, 4294967294, 2147483647, 1073741823, 1717986917]),
        (#""v6_lease_time": 4294967295"#, [3600, 1800, 3150, 4294967295, 4294967295, 4294967295, 4294967295]),
    ] as [(String, [UInt32])])
    func timers(_ extra: String, _ expected: [UInt32]) throws {
        let l = try #require(config(extra)).leases
        #expect([l.v4Lease, l.v4T1, l.v4T2, l.v6Valid, l.v6Preferred, l.v6T1, l.v6T2] == expected)
    }

    @Test("out of range lease times", arguments: [
        (#""v4_lease_time": 4294967296"#, "config.json: v4_lease_time: must be between 0 and 4294967295, got 4294967296"),
        (#""v6_lease_time": -1"#, "config.json: v6_lease_time: must be between 0 and 4294967295, got -1"),
        (#""v4_lease_time": 99999999999999999999999"#,
         "config.json: v4_lease_time: must be between 0 and 4294967295, got 99999999999999999999999"),
        (#""v4_lease_time": 3600.5"#, "config.json: v4_lease_time: expected an integer, got 3600.5"),
        (#""v4_lease_time": 1e3"#, "config.json: v4_lease_time: expected an integer, got 1e3"),
        (#""v4_lease_time": "3600""#, "config.json: v4_lease_time: expected an integer, got a string"),
    ])
    func rejected(_ extra: String, _ message: String) {
        #expect(configErrors(configText(extra)) == [message])
    }
}
