import Testing
@testable import ShadowCore

@Suite("config.json: validation messages")
struct ConfigValidationTests {
    static let subnetPrefix = #""dns_v4": ["192.0.2.53"], "dns_v6": ["2001:db8::53"], "#

    @Test("one rule, one exact message", arguments: [
        // Required fields and emptiness.
        (#"{"dns_v6": ["::1"], "subnets_v4": []}"#, ["config.json: dns_v4: missing required field"]),
        (#"{"dns_v4": ["1.1.1.1"], "subnets_v4": []}"#, ["config.json: dns_v6: missing required field"]),
        (#"{"dns_v4": ["1.1.1.1"], "dns_v6": ["::1"]}"#, ["config.json: subnets_v4: missing required field"]),
        (#"{"dns_v4": null, "dns_v6": ["::1"], "subnets_v4": []}"#, ["config.json: dns_v4: missing required field"]),
        (#"{"dns_v4": [], "dns_v6": ["::1"], "subnets_v4": []}"#,
         ["config.json: dns_v4: must contain at least one IPv4 address"]),
        (#"{"dns_v4": ["1.1.1.1"], "dns_v6": [], "subnets_v4": []}"#,
         ["config.json: dns_v6: must contain at least one IPv6 address"]),
        // Wrong types name the expected type.
        (#"[]"#, ["config.json: expected an object, got an array"]),
        (#"{"dns_v4": "1.1.1.1", "dns_v6": ["::1"], "subnets_v4": []}"#,
         ["config.json: dns_v4: expected an array, got a string"]),
        (#"{"dns_v4": [1], "dns_v6": ["::1"], "subnets_v4": {}}"#,
         ["config.json: dns_v4[0]: expected a string, got a number",
          "config.json: subnets_v4: expected an array, got an object"]),
        // Address formats.
        (#"{"dns_v4": ["1.1.1.1", "192.168.01.1"], "dns_v6": ["fe80::1%eth0"], "subnets_v4": []}"#,
         [#"config.json: dns_v4[1]: invalid IPv4 address "192.168.01.1"; expected a dotted quad such as 192.0.2.1, without leading zeros"#,
          #"config.json: dns_v6[0]: invalid IPv6 address "fe80::1%eth0"; expected an address such as 2001:db8::1, without zone"#]),
    ])
    func wholeDocument(_ text: String, _ expected: [String]) {
        #expect(configErrors(text) == expected)
    }

    @Test("subnets", arguments: [
        (#"{"net": "10.0.0.0/8", "gateway": "10.0.0.1", "reply_prefix_len": 33}"#,
         "config.json: subnets_v4[1].reply_prefix_len: must be between 0 and 32, got 33"),
        (#"{"net": "10.0.0.0/8", "gateway": "10.0.0.1", "reply_prefix_len": 256}"#,
         "config.json: subnets_v4[1].reply_prefix_len: must be between 0 and 32, got 256"),
        (#"{"net": "10.0.0.0/8", "gateway": "10.0.0.1", "reply_prefix_len": -1}"#,
         "config.json: subnets_v4[1].reply_prefix_len: must be between 0 and 32, got -1"),
        (#"{"net": "10.0.0.0/8", "gateway": "10.0.0.1", "reply_prefix_len": "24"}"#,
         "config.json: subnets_v4[1].reply_prefix_len: expected an integer, got a string"),
        (#"{"net": "10.0.0.0", "gateway": "10.0.0.1"}"#,
         #"config.json: subnets_v4[1].net: invalid IPv4 network "10.0.0.0"; expected a.b.c.d/len with len 0-32"#),
        (#"{"net": "10.0.0.0/33", "gateway": "10.0.0.1"}"#,
         #"config.json: subnets_v4[1].net: invalid IPv4 network "10.0.0.0/33"; expected a.b.c.d/len with len 0-32"#),
        (#"{"net": "10.0.0.0/08", "gateway": "10.0.0.1"}"#,
         #"config.json: subnets_v4[1].net: invalid IPv4 network "10.0.0.0/08"; expected a.b.c.d/len with len 0-32"#),
        (#"{"gateway": "10.0.0.1"}"#, "config.json: subnets_v4[1].net: missing required field"),
        (#"{"net": "10.0.0.0/8"}"#, "config.json: subnets_v4[1].gateway: missing required field"),
        (#"{"net": "10.0.0.0/8", "gateway": "10.0.0.1", "mask": 8}"#,
         "config.json: subnets_v4[1].mask: unknown field; allowed: net, gateway, reply_prefix_len, options_v4, v4_lease_time, relays"),
        (#""10.0.0.0/8""#, "config.json: subnets_v4[1]: expected an object, got a string"),
    ])
    func subnet(_ second: String, _ message: String) {
        let text = "{" + Self.subnetPrefix + #""subnets_v4": [{"net": "10.0.0.0/8", "gateway": "10.0.0.1"}, "#
            + second + "]}"
        #expect(configErrors(text) == [message])
    }

    @Test("other fields", arguments: [
        (#""option82_extractors": ["remote_only", "remote-only"]"#,
         #"config.json: option82_extractors[1]: invalid Option 82 extractor "remote-only"; expected one of circuit_and_remote, circuit_only, normalize_remote_mac, remote_first_12, remote_only, remote_only_trim, subscriber_only"#),
        (#""option1837_extractors": ["all"]"#,
         #"config.json: option1837_extractors[0]: invalid Option 18/37 extractor "all"; expected one of all_fields, interface_and_remote, interface_only, remote_only, remote_with_enterprise"#),
        (#""mac_extractors": ["Eui64"]"#,
         #"config.json: mac_extractors[0]: invalid MAC extractor "Eui64"; expected one of client_linklayer_address, peer_addr_eui64, duid (or their PascalCase spellings)"#),
        (#""mac_extractors": "duid""#, "config.json: mac_extractors: expected an array, got a string"),
        (#""mgmt_address": "0.0.0.0:8547""#,
         "config.json: mgmt_address: must be a loopback address (127.0.0.0/8 or [::1]) unless mgmt_tls is configured: tokens would cross the network in clear text, got 0.0.0.0:8547"),
        (#""mgmt_address": "[2001:db8::1]:8547""#,
         "config.json: mgmt_address: must be a loopback address (127.0.0.0/8 or [::1]) unless mgmt_tls is configured: tokens would cross the network in clear text, got [2001:db8::1]:8547"),
        (#""mgmt_http_address": "192.0.2.1:8080""#,
         "config.json: mgmt_http_address: must be a loopback address (127.0.0.0/8 or [::1]) unless mgmt_tls is configured: tokens would cross the network in clear text, got 192.0.2.1:8080"),
        (#""mgmt_tls": {"cert_file": "/c.pem"}"#, "config.json: mgmt_tls.key_file: missing required field"),
        (#""mgmt_tls": {"cert_file": "c.pem", "key_file": "/k.pem"}"#,
         #"config.json: mgmt_tls.cert_file: must be an absolute path, got "c.pem""#),
        (#""mgmt_tls": {"cert_file": "/c.pem", "key_file": "/k.pem", "client_ca_file": "/ca.pem", "client_roles": {"billing": "root"}}"#,
         #"config.json: mgmt_tls.client_roles.billing: unknown role "root"; expected "read" or "admin""#),
        (#""mgmt_tls": {"cert_file": "/c.pem", "key_file": "/k.pem", "client_roles": {"billing": "admin"}}"#,
         "config.json: mgmt_tls.client_roles: needs client_ca_file: without it no client certificate is asked for"),
        (#""mgmt_tls": {"cert_file": "/c.pem", "key_file": "/k.pem", "ca": "/ca.pem"}"#,
         "config.json: mgmt_tls.ca: unknown field; allowed: cert_file, key_file, client_ca_file, client_roles"),
        (#""mgmt_address": "127.0.0.1""#,
         #"config.json: mgmt_address: invalid socket address "127.0.0.1"; expected ip:port or [ipv6]:port"#),
        (#""mgmt_address": "127.0.0.1:65536""#,
         #"config.json: mgmt_address: invalid socket address "127.0.0.1:65536"; expected ip:port or [ipv6]:port"#),
        (#""mgmt_socket": "mgmt.sock""#, #"config.json: mgmt_socket: must be an absolute path, got "mgmt.sock""#),
        (#""mgmt_socket": """#, "config.json: mgmt_socket: must not be empty"),
        (#""mgmt_socket": "/"# + String(repeating: "s", count: 107) + #"""#,
         "config.json: mgmt_socket: too long for a Unix socket path (at most 107 bytes, got 108)"),
        (#""v4_bind_address": "[::]:67""#,
         "config.json: v4_bind_address: must be an IPv4 socket address such as 0.0.0.0:67, got [::]:67"),
        (#""v6_bind_address": "0.0.0.0:547""#,
         "config.json: v6_bind_address: must be an IPv6 socket address such as [::]:547, got 0.0.0.0:547"),
        (#""user": """#, "config.json: user: must not be empty"),
        (#""user": 0"#, "config.json: user: expected a string, got a number"),
        (#""state_dir": "state""#, #"config.json: state_dir: must be an absolute path, got "state""#),
        (#""binding_table_size": 0"#, "config.json: binding_table_size: must be at least 1, got 0"),
        (#""binding_table_size": true"#, "config.json: binding_table_size: expected an integer, got a boolean"),
        (#""workers_v4": 0"#, "config.json: workers_v4: must be between 1 and 64, got 0"),
        (#""logging": {"format": "JSON"}"#, #"config.json: logging.format: invalid log format "JSON"; expected text or json"#),
        (#""logging": {"format": true}"#, "config.json: logging.format: expected a string, got a boolean"),
        (#""workers_v6": 65"#, "config.json: workers_v6: must be between 1 and 64, got 65"),
        (#""mgmt_max_request_bytes": 10"#, "config.json: mgmt_max_request_bytes: must be between 1024 and 2147483647, got 10"),
        (#""events": {"queue_size": 0}"#, "config.json: events.queue_size: must be between 1 and 2147483647, got 0"),
        (#""events": {"tcp": "localhost:9000"}"#,
         #"config.json: events.tcp: invalid socket address "localhost:9000"; expected ip:port or [ipv6]:port"#),
        (#""events": {"clickhouse": {"url": "https://x", "password": ""}}"#,
         "config.json: events.clickhouse.user: missing required field"),
        (#""events": {"clickhouse": {"url": "https://ch.example.net:8443", "user": "u", "password": "p"}}"#,
         #"config.json: events.clickhouse.url: host "ch.example.net" must be an IP address or localhost (shadow-ops cannot resolve names in its sandbox)"#),
        (#""events": {"clickhouse": {"url": "ftp://192.0.2.8", "user": "u", "password": "p"}}"#,
         "config.json: events.clickhouse.url: must start with http:// or https://"),
        (#""events": {"clickhouse": {"url": "http://u:p@192.0.2.8", "user": "u", "password": "p"}}"#,
         "config.json: events.clickhouse.url: must carry no credentials (use events.clickhouse.user and password)"),
        (#""events": {"clickhouse": {"url": "http://[2001:db8::8]:0", "user": "u", "password": "p"}}"#,
         #"config.json: events.clickhouse.url: port "0" is not 1-65535"#),
        (#""events": []"#, "config.json: events: expected an object, got an array"),
        (#""logging": {"level": "verbose"}"#,
         #"config.json: logging.level: invalid log level "verbose"; expected one of trace, debug, info, warn, error (or 1-5)"#),
        (#""logging": {"stdout": "yes"}"#, "config.json: logging.stdout: expected a boolean, got a string"),
        (#""logging": {"file": {"max_files": 2}}"#, "config.json: logging.file.path: missing required field"),
        (#""logging": {"file": {"path": "/l", "max_files": 0}}"#,
         "config.json: logging.file.max_files: must be between 1 and 2147483647, got 0"),
        (#""log_level": 3"#, "config.json: log_level: expected a string, got a number"),
        (#""events_address": "9000""#,
         #"config.json: events_address: invalid socket address "9000"; expected ip:port or [ipv6]:port"#),
    ])
    func field(_ extra: String, _ message: String) {
        #expect(configErrors(configText(extra)) == [message])
    }

    @Test("unknown fields at every level", arguments: [
        (#""colour": true"#,
         "config.json: colour: unknown field; allowed: dns_v4, dns_v6, subnets_v4, option82_extractors, option1837_extractors, mac_extractors, v4_lease_time, v6_lease_time, logging, log_level, events, events_address, mgmt_address, mgmt_socket, v4_bind_address, v6_bind_address, user, state_dir, binding_table_size, metrics_address, mgmt_max_request_bytes, mgmt_max_connections, workers_v4, workers_v6, mgmt_auth, mgmt_tcp_insecure_writes, metrics_allow_remote, mgmt_tls, mgmt_http_address, ha, options_v4, options_v6, subnets_v6, leasequery, rate_limits"),
        (#""logging": {"colour": true}"#, "config.json: logging.colour: unknown field; allowed: level, stdout, file, format, child_lines_per_s"),
        (#""logging": {"file": {"path": "/l", "rotate": "daily"}}"#,
         "config.json: logging.file.rotate: unknown field; allowed: path, max_files"),
        (#""events": {"udp": "127.0.0.1:1"}"#, "config.json: events.udp: unknown field; allowed: queue_size, tcp, clickhouse"),
        (#""events": {"clickhouse": {"url": "http://127.0.0.1", "user": "u", "password": "p", "table": "t"}}"#,
         "config.json: events.clickhouse.table: unknown field; allowed: url, user, password, database, hostname"),
        (#""Dns_v4": null"#,
         "config.json: Dns_v4: unknown field; allowed: dns_v4, dns_v6, subnets_v4, option82_extractors, option1837_extractors, mac_extractors, v4_lease_time, v6_lease_time, logging, log_level, events, events_address, mgmt_address, mgmt_socket, v4_bind_address, v6_bind_address, user, state_dir, binding_table_size, metrics_address, mgmt_max_request_bytes, mgmt_max_connections, workers_v4, workers_v6, mgmt_auth, mgmt_tcp_insecure_writes, metrics_allow_remote, mgmt_tls, mgmt_http_address, ha, options_v4, options_v6, subnets_v6, leasequery, rate_limits"),
    ])
    func unknown(_ extra: String, _ message: String) {
        #expect(configErrors(configText(extra)) == [message])
    }

    @Test func everyProblemIsReported() {
        let text = """
            {"dns_v4": ["1.1.1"], "dns_v6": [], "subnets_v4": [{"net": "10.0.0.0/8", "gateway": "x", "reply_prefix_len": 40}],
             "mac_extractors": ["nope"], "logging": {"level": "loud", "x": 1}, "events": {"queue_size": 0},
             "mgmt_address": "192.0.2.1:1", "extra": 1}
            """
        #expect(configErrors(text) == [
            "config.json: extra: unknown field; allowed: dns_v4, dns_v6, subnets_v4, option82_extractors, option1837_extractors, mac_extractors, v4_lease_time, v6_lease_time, logging, log_level, events, events_address, mgmt_address, mgmt_socket, v4_bind_address, v6_bind_address, user, state_dir, binding_table_size, metrics_address, mgmt_max_request_bytes, mgmt_max_connections, workers_v4, workers_v6, mgmt_auth, mgmt_tcp_insecure_writes, metrics_allow_remote, mgmt_tls, mgmt_http_address, ha, options_v4, options_v6, subnets_v6, leasequery, rate_limits",
            #"config.json: dns_v4[0]: invalid IPv4 address "1.1.1"; expected a dotted quad such as 192.0.2.1, without leading zeros"#,
            "config.json: dns_v6: must contain at least one IPv6 address",
            #"config.json: subnets_v4[0].gateway: invalid IPv4 address "x"; expected a dotted quad such as 192.0.2.1, without leading zeros"#,
            "config.json: subnets_v4[0].reply_prefix_len: must be between 0 and 32, got 40",
            #"config.json: mac_extractors[0]: invalid MAC extractor "nope"; expected one of client_linklayer_address, peer_addr_eui64, duid (or their PascalCase spellings)"#,
            "config.json: logging.x: unknown field; allowed: level, stdout, file, format, child_lines_per_s",
            #"config.json: logging.level: invalid log level "loud"; expected one of trace, debug, info, warn, error (or 1-5)"#,
            "config.json: events.queue_size: must be between 1 and 2147483647, got 0",
            "config.json: mgmt_address: must be a loopback address (127.0.0.0/8 or [::1]) unless mgmt_tls is configured: tokens would cross the network in clear text, got 192.0.2.1:1",
        ])
    }

    @Test("syntax errors carry line and column", arguments: [
        ("{\n  \"dns_v4\": [\"1.1.1.1\",],\n}", "config.json: line 2, column 24: trailing comma before ']'"),
        ("{\"dns_v4\": [] /* x */}", "config.json: line 1, column 15: unexpected '/', expected ',' or '}'"),
        ("{\"user\": \"a\", \"user\": \"b\"}", "config.json: line 1, column 15: duplicate field \"user\""),
        ("{} {}", "config.json: line 1, column 4: unexpected data after the JSON value"),
    ])
    func syntax(_ text: String, _ message: String) {
        #expect(configErrors(text) == [message])
    }
}
