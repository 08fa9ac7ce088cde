import Testing
@testable import ShadowCore

/// `events.clickhouse.url`: hosts that need no name resolution, default ports, a path prefix.
@Suite struct ClickHouseURLTests {
    @Test func parsesWhatOpsCanReach() throws {
        let a = try ClickHouseURL(parsing: "http://127.0.0.1")
        #expect(a.scheme == .http && a.port == 8123 && a.path == "" && a.address == .v4(IPv4Address(127, 0, 0, 1), port: 8123))
        let b = try ClickHouseURL(parsing: "HTTPS://[2001:db8::8]/clickhouse/")
        #expect(b.scheme == .https && b.port == 8443 && b.path == "/clickhouse" && b.hostText == "[2001:db8::8]")
        #expect(b.description == "https://[2001:db8::8]:8443/clickhouse")
        let c = try ClickHouseURL(parsing: "https://localhost:9443")
        #expect(c.host == .localhost && c.address == .v4(IPv4Address(127, 0, 0, 1), port: 9443))
    }

    @Test(arguments: [
        ("clickhouse:8123", "must start with http:// or https://"),
        ("http://", "has no host"),
        ("http://db.example.net", #"host "db.example.net" must be an IP address or localhost (shadow-ops cannot resolve names in its sandbox)"#),
        ("http://127.0.0.1:99999", #"port "99999" is not 1-65535"#),
        ("http://127.0.0.1/?x=1", "must have no query or fragment"),
        ("http://[2001:db8::8", "unterminated [IPv6 address]"),
        ("http://[2001:db8::8]x", #"unexpected "x" after the IPv6 address"#),
        ("http://a:b@127.0.0.1", "must carry no credentials (use events.clickhouse.user and password)"),
        ("http://127.0.0.1/a b", "the path must be plain ASCII without spaces or escapes"),
    ])
    func refusesWithAPreciseMessage(_ text: String, _ message: String) {
        #expect(throws: ClickHouseURLError(message)) { try ClickHouseURL(parsing: text) }
    }
}
