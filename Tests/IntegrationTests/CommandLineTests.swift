import ShadowCore
import ShadowTesting
import Testing

/// `shadow-master` as an operator meets it before it serves anything. No root needed.
@Suite(.timeLimit(.minutes(1)))
struct CommandLineTests {
    static let example = BuildProducts.repositoryRoot() + "/contrib/example"

    @Test func checkOfTheExampleSucceedsWithASummary() async throws {
        let result = try await ShadowMasterCommand.run(["--check", "--configdir", Self.example])
        #expect(result.exited(0), "\(result.status)\n\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("\(Self.example): OK"))
        #expect(result.stdout.contains("reservations.json: 5 reservations"))
        #expect(result.stdout.contains("subnets_v4: 2"))
        // The example has no `user`: its only warnings are about sharing `nobody`
        // (docs/privileges.md, "One account per process").
        let warnings = result.stdout.split(separator: "\n").drop { !$0.hasPrefix("warnings: ") }.dropFirst()
        #expect(!warnings.isEmpty && warnings.allSatisfy { $0.hasPrefix("  config.json: user: ") }, "\(result.stdout)")
        #expect(warnings.contains { $0.contains("share the account nobody") })
        #expect(result.stdout.contains("  rate limits: per client 10/s, per relay off\n"))
    }

    /// A directory with several problems in config.json and in reservations.json.
    static func brokenDirectory() throws -> String {
        let dir = try Files.makeTemporaryDirectory(prefix: "shadow-cli-broken")
        try Files.write(#"{"v4": "203.0.113.1", "v6": "00:03:00:01:02:00:5e:00:00:01"}"#, to: dir + "/ids.json")
        try Files.write("""
            {
              "dns_v4": ["203.0.113.300"],
              "dns_v6": ["2001:db8::53"],
              "subnets_v4": [{"net": "198.51.100.0/24", "gateway": "198.51.100.1", "reply_prefix_len": 33}],
              "v4_lease_time": "an hour",
              "colour": "blue"
            }
            """, to: dir + "/config.json")
        try Files.write("""
            [
              {"ipv4": "198.51.100.10", "ipv6_na": "2001:db8:1::10", "ipv6_pd": "2001:db8:100::/56", "mac": "00-11-22-33-44-5G"},
              {"ipv4": "198.51.100.11", "ipv6_na": "2001:db8:1::11"}
            ]
            """, to: dir + "/reservations.json")
        return dir
    }

    static let brokenProblems = [
        "config.json: dns_v4[0]", "config.json: subnets_v4[0].reply_prefix_len", "config.json: v4_lease_time",
        "config.json: colour", "reservations.json[0].mac", "reservations.json[1].ipv6_pd",
    ]

    @Test func checkOfABrokenDirectoryListsEveryProblem() async throws {
        let dir = try Self.brokenDirectory()
        defer { Files.removeTree(dir) }
        let result = try await ShadowMasterCommand.run(["--check", "--configdir", dir])
        #expect(result.exited(1), "\(result.status)")
        let output = result.stdout + result.stderr
        #expect(output.contains("nothing would be served"))
        for problem in Self.brokenProblems {
            #expect(output.contains(problem), "\(problem) is not reported:\n\(output)")
        }
    }

    @Test func startingOnABrokenDirectoryFailsListingEveryProblem() async throws {
        let dir = try Self.brokenDirectory()
        defer { Files.removeTree(dir) }
        let result = try await ShadowMasterCommand.run(["--configdir", dir])
        #expect(result.exited(1), "\(result.status)")
        for problem in Self.brokenProblems {
            #expect(result.stderr.contains(problem), "\(problem) is not reported:\n\(result.stderr)")
        }
    }

    @Test(arguments: [["--check", "--configdir"], ["--configdir"]])
    func missingConfigDirectoryIsAClearError(_ flags: [String]) async throws {
        let missing = "/nonexistent/shadowdhcp-\(Fixtures.xid())"
        let result = try await ShadowMasterCommand.run(flags + [missing])
        #expect(result.exited(1), "\(result.status)")
        let output = result.stdout + result.stderr
        #expect(output.contains(missing), "the message does not name the directory:\n\(output)")
        #expect(output.contains("--configdir"), "the message does not point at --configdir:\n\(output)")
    }

    @Test func availableExtractorsListsEveryName() async throws {
        let result = try await ShadowMasterCommand.run(["--available-extractors"])
        #expect(result.exited(0))
        for name in ["circuit_and_remote", "circuit_only", "normalize_remote_mac", "remote_first_12", "remote_only",
                     "remote_only_trim", "subscriber_only", "all_fields", "interface_and_remote", "interface_only",
                     "remote_with_enterprise", "client_linklayer_address", "peer_addr_eui64", "duid"] {
            #expect(result.stdout.contains(name), "\(name) missing")
        }
    }

    @Test func helpTextsAndVersion() async throws {
        let config = try await ShadowMasterCommand.run(["--help-config"])
        #expect(config.exited(0))
        for field in ["ids.json", "config.json", "subnets_v4", "v4_bind_address", "state_dir", "rate_limits",
                      "per_client_per_s", "per_relay_per_s"] {
            #expect(config.stdout.contains(field), "--help-config does not mention \(field)")
        }
        let reservations = try await ShadowMasterCommand.run(["--help-reservations"])
        #expect(reservations.exited(0))
        for field in ["ipv4", "ipv6_na", "ipv6_pd", "option82", "option1837", "duid", "mac"] {
            #expect(reservations.stdout.contains(field), "--help-reservations does not mention \(field)")
        }
        let version = try await ShadowMasterCommand.run(["--version"])
        #expect(version.exited(0))
        let lines = version.stdout.split(separator: "\n").map(String.init)
        let text = lines.first ?? ""
        #expect(text.split(separator: ".").count == 3 && text.allSatisfy { $0.isNumber || $0 == "." },
                "not a version: \(version.stdout)")
        // A second line names the commit when the build was given one (scripts/package does).
        #expect(lines.count == 1 || (lines.count == 2 && lines[1].hasPrefix("commit ")), "\(version.stdout)")
    }

    /// A `user` that cannot run the workers (no such account, or root) stops the start, so
    /// `--check` must say so too.
    @Test(arguments: ["no-such-shadowdhcp-user", "root"])
    func checkRefusesAWorkerAccountTheServerCannotUse(_ user: String) async throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "shadow-cli-user")
        defer { Files.removeTree(dir) }
        var config = ServerConfigFile(v4Bind: .v4(.init(127, 0, 0, 1), port: 67), v6Bind: .v6(.loopback, port: 547),
                                      stateDir: dir + "/state")
        config.user = user
        try Files.write(config.idsJSON, to: dir + "/ids.json")
        try Files.write(config.configJSON, to: dir + "/config.json")
        try Files.write(TestReservation.file(Fixtures.reservations), to: dir + "/reservations.json")

        let check = try await ShadowMasterCommand.run(["--check", "--configdir", dir])
        #expect(check.exited(1), "\(check.status)\n\(check.stdout)")
        #expect(check.stdout.contains("config.json: user:") && check.stdout.contains(user), "\(check.stdout)")
    }

    /// `ha` is checked in full: a bad one is listed with its path, a good one passes.
    @Test func haIsChecked() async throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "shadow-cli-ha")
        defer { Files.removeTree(dir) }
        var config = ServerConfigFile(v4Bind: .v4(.init(127, 0, 0, 1), port: 67), v6Bind: .v6(.loopback, port: 547),
                                      stateDir: dir + "/state")
        config.extra = [#""ha": {"this_server": "dhcp-a", "mode": "hot-standby", "primary": "dhcp-c", "listen": "192.0.2.1:8548", "key_file": "/etc/shadowdhcp/ha.key", "peers": [{"name": "dhcp-b", "address": "192.0.2.2:8548"}]}"#]
        try Files.write(config.idsJSON, to: dir + "/ids.json")
        try Files.write(config.configJSON, to: dir + "/config.json")
        try Files.write(TestReservation.file(Fixtures.reservations), to: dir + "/reservations.json")

        let bad = try await ShadowMasterCommand.run(["--check", "--configdir", dir])
        #expect(bad.exited(1) && bad.stdout.contains("config.json: ha.primary: \"dhcp-c\" is not a server"), "\(bad.stdout)")

        try Files.write(String(repeating: "ab", count: 32), to: dir + "/ha.key")
        Files.setMode(dir + "/ha.key", 0o600)
        config.extra = [#""ha": {"this_server": "dhcp-a", "listen": "192.0.2.1:8548", "key_file": "\#(dir)/ha.key", "peers": [{"name": "dhcp-b", "address": "192.0.2.2:8548"}]}"#]
        try Files.write(config.configJSON, to: dir + "/config.json")
        let check = try await ShadowMasterCommand.run(["--check", "--configdir", dir])
        #expect(check.exited(0), "\(check.stdout)")
    }

    /// The HA key file: missing, short, or readable by others — each a `--check` problem naming
    /// `ha.key_file`.
    @Test func haKeyFileProblemsAreListed() async throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "shadow-cli-hakey")
        defer { Files.removeTree(dir) }
        var config = ServerConfigFile(v4Bind: .v4(.init(127, 0, 0, 1), port: 67), v6Bind: .v6(.loopback, port: 547),
                                      stateDir: dir + "/state")
        try Files.write(config.idsJSON, to: dir + "/ids.json")
        try Files.write(TestReservation.file(Fixtures.reservations), to: dir + "/reservations.json")
        func check(key: String, status: Int32 = 1) async throws -> String {
            config.extra = [#""ha": {"this_server": "dhcp-a", "listen": "192.0.2.1:8548", "key_file": "\#(key)", "peers": [{"name": "dhcp-b", "address": "192.0.2.2:8548"}]}"#]
            try Files.write(config.configJSON, to: dir + "/config.json")
            let result = try await ShadowMasterCommand.run(["--check", "--configdir", dir])
            #expect(result.exited(status), "\(result.stdout)")
            return result.stdout
        }
        let missing = try await check(key: dir + "/none.key")
        #expect(missing.contains("none.key") && missing.contains("(config.json: ha.key_file)"), "\(missing)")
        try Files.write("0123456789", to: dir + "/short.key")
        Files.setMode(dir + "/short.key", 0o600)
        let short = try await check(key: dir + "/short.key")
        #expect(short.contains("10 bytes; the HA shared key must be at least 32 bytes"), "\(short)")
        try Files.write(String(repeating: "ab", count: 32), to: dir + "/open.key")
        Files.setMode(dir + "/open.key", 0o644)
        let open = try await check(key: dir + "/open.key")
        #expect(open.contains("mode 644 lets group or others read or write it"), "\(open)")
        Files.setMode(dir + "/open.key", 0o600)
        let good = try await check(key: dir + "/open.key", status: 0)
        #expect(!good.contains("ha.key_file"), "\(good)")
    }
}
