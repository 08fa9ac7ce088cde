import Testing
@testable import ShadowCore

/// `tokens.json` and the `mgmt_auth` settings of `config.json`.
struct TokenFileTests {
    static let hash = String(repeating: "ab", count: 32)

    func errors(_ text: String) -> [String] {
        do {
            _ = try ConfigurationLoader.loadTokens(Array(text.utf8))
            return []
        } catch {
            return error.errors.lines
        }
    }

    @Test func validFile() throws {
        let text = #"{"tokens": [{"name": "billing", "role": "admin", "sha256": "\#(Self.hash)"},"#
            + #" {"name": "grafana", "role": "read", "sha256": "\#(Self.hash.uppercased())"}]}"#
        let table = try ConfigurationLoader.loadTokens(Array(text.utf8))
        #expect(table.entries.map(\.name) == ["billing", "grafana"])
        #expect(table.entries.map(\.role) == [.admin, .read])
        #expect(table.entries[0].sha256 == [UInt8](repeating: 0xAB, count: 32))
        #expect(table.entries[1].sha256 == table.entries[0].sha256)
        #expect(try ConfigurationLoader.loadTokens(Array(#"{"tokens": []}"#.utf8)).entries.isEmpty)
    }

    @Test(arguments: [
        (#"{"tokens": [{"name": "a", "role": "read", "sha256": "\#(hash)"}, {"name": "b", "role": "root", "sha256": "\#(hash)"}]}"#,
         [#"tokens.json: tokens[1].role: unknown role "root"; expected "read" or "admin""#]),
        (#"{"tokens": [{"name": "a", "role": "read", "sha256": "\#(hash)"}, {"name": "a", "role": "admin", "sha256": "\#(hash)"}]}"#,
         [#"tokens.json: tokens[1].name: duplicate name "a" (also tokens[0])"#]),
        (#"{"tokens": [{"name": "a", "role": "read", "sha256": "abc"}]}"#,
         ["tokens.json: tokens[0].sha256: expected the SHA-256 of the token as 64 hex digits, got 3 characters"]),
        (#"{"tokens": [{"name": "a", "role": "read", "sha256": "\#(String(repeating: "g", count: 64))"}]}"#,
         ["tokens.json: tokens[0].sha256: expected the SHA-256 of the token as 64 hex digits, got a non-hex digit"]),
        (#"{"tokens": [{"name": "grafana", "role": "read"}]}"#,
         ["tokens.json: tokens[0].sha256: missing required field"]),
        (#"{"tokens": [{"name": 7, "role": true, "sha256": []}]}"#,
         ["tokens.json: tokens[0].name: expected a string, got a number",
          "tokens.json: tokens[0].role: expected a string, got a boolean",
          "tokens.json: tokens[0].sha256: expected a string, got an array"]),
        (#"{"tokens": [{"name": "", "role": "read", "sha256": "\#(hash)", "token": "x"}]}"#,
         ["tokens.json: tokens[0].token: unknown field; allowed: name, role, sha256",
          "tokens.json: tokens[0].name: must not be empty"]),
        (#"{"tokens": {}}"#, ["tokens.json: tokens: expected an array, got an object"]),
        (#"{"tokens": ["x"]}"#, ["tokens.json: tokens[0]: expected an object, got a string"]),
        (#"[]"#, ["tokens.json: expected an object, got an array"]),
        (#"{}"#, ["tokens.json: tokens: missing required field"]),
    ] as [(String, [String])])
    func preciseErrors(_ text: String, _ expected: [String]) {
        #expect(errors(text) == expected)
    }

    @Test func malformedJSONNamesTheFile() {
        let lines = errors(#"{"tokens": [}"#)
        #expect(lines.count == 1 && lines[0].hasPrefix("tokens.json: "), "\(lines)")
    }

    @Test func managementAuthSettings() throws {
        let c = try #require(config(#""mgmt_auth": {"tokens_file": "/etc/shadowdhcp/tokens.json", "unix_group": "shadowadm", "unix_group_role": "admin"}, "mgmt_tcp_insecure_writes": true, "metrics_allow_remote": true, "metrics_address": "192.0.2.5:9547""#))
        #expect(c.mgmtAuth == ManagementAuthSettings(tokensFile: "/etc/shadowdhcp/tokens.json", unixGroup: "shadowadm",
                                                     unixGroupRole: .admin))
        #expect(c.mgmtTCPInsecureWrites && c.metricsAllowRemote)
        #expect(c.metricsAddress == SocketAddress("192.0.2.5:9547"))
        let d = try #require(config(#""mgmt_auth": {}"#))
        #expect(d.mgmtAuth == ManagementAuthSettings() && d.mgmtAuth.unixGroupRole == .read && !d.mgmtTCPInsecureWrites)
    }

    @Test(arguments: [
        (#""mgmt_auth": {"tokens_file": "tokens.json"}"#,
         [#"config.json: mgmt_auth.tokens_file: must be an absolute path, got "tokens.json""#]),
        (#""mgmt_auth": {"unix_group_role": "write", "user": "x"}"#,
         ["config.json: mgmt_auth.user: unknown field; allowed: tokens_file, unix_group, unix_group_role",
          #"config.json: mgmt_auth.unix_group_role: unknown role "write"; expected "read" or "admin""#]),
        (#""mgmt_tcp_insecure_writes": "yes""#, ["config.json: mgmt_tcp_insecure_writes: expected a boolean, got a string"]),
        (#""metrics_address": "0.0.0.0:9547""#,
         ["config.json: metrics_address: must be a loopback address (127.0.0.0/8 or [::1]) unless metrics_allow_remote is true (/metrics is served without TLS: firewall it or put a TLS proxy in front), got 0.0.0.0:9547"]),
    ] as [(String, [String])])
    func managementAuthErrors(_ extra: String, _ expected: [String]) {
        #expect(configErrors(configText(extra)) == expected)
    }
}
