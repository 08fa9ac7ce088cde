import ShadowCore

/// The `ids.json` and `config.json` a test server runs with. Defaults: documentation ranges in
/// every DHCP payload, loopback-only sockets, info logging to stdout (JSON lines), state under the
/// test's own directory. `extra` members are written verbatim (for settings not modelled here).
public struct ServerConfigFile: Sendable {
    public var serverIDv4 = "203.0.113.1"
    public var serverIDv6 = "00:03:00:01:02:00:5e:00:00:01"
    public var dnsV4 = ["203.0.113.53"]
    public var dnsV6 = ["2001:db8::53"]
    /// `(net, gateway)` pairs for `subnets_v4`.
    public var subnetsV4 = [("198.51.100.0/24", "198.51.100.1"), ("100.64.0.0/10", "100.64.0.1")]
    public var option82Extractors = ["remote_only", "circuit_and_remote", "subscriber_only"]
    public var option1837Extractors = ["interface_and_remote"]
    public var macExtractors = ["client_linklayer_address", "peer_addr_eui64", "duid"]
    public var v4LeaseTime: UInt32 = 3600
    public var logLevel = "info"
    /// `logging.format`; nil leaves it out (then JSON lines: the test's stdout is a file).
    public var logFormat: String?
    /// `logging.child_lines_per_s`; nil leaves it out.
    public var childLinesPerSecond: Int?
    public var v4Bind: SocketAddress
    public var v6Bind: SocketAddress
    public var stateDir: String
    public var user = "nobody"
    public var extra: [String] = []
    /// `rate_limits` as a JSON object, such as ``noRateLimits``; nil leaves it out (then the
    /// server's default: 10 answered requests per second per client).
    public var rateLimits: String?
    /// Storm control off, for tests that send many requests from one client.
    public static let noRateLimits = #"{"per_client_per_s": 0, "per_relay_per_s": 0}"#

    public init(v4Bind: SocketAddress, v6Bind: SocketAddress, stateDir: String) {
        self.v4Bind = v4Bind
        self.v6Bind = v6Bind
        self.stateDir = stateDir
    }

    public var idsJSON: String { #"{"v4": "\#(serverIDv4)", "v6": "\#(serverIDv6)"}"# + "\n" }

    public var configJSON: String {
        func list(_ items: [String]) -> String { "[" + items.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        let subnets = subnetsV4.map { #"{"net": "\#($0.0)", "gateway": "\#($0.1)"}"# }.joined(separator: ", ")
        var members = [
            #""dns_v4": \#(list(dnsV4))"#,
            #""dns_v6": \#(list(dnsV6))"#,
            #""subnets_v4": [\#(subnets)]"#,
            #""option82_extractors": \#(list(option82Extractors))"#,
            #""option1837_extractors": \#(list(option1837Extractors))"#,
            #""mac_extractors": \#(list(macExtractors))"#,
            #""v4_lease_time": \#(v4LeaseTime)"#,
            #""logging": {"level": "\#(logLevel)", "stdout": true\#(logFormat.map { #", "format": "\#($0)""# } ?? "")\#(childLinesPerSecond.map { #", "child_lines_per_s": \#($0)"# } ?? "")}"#,
            #""v4_bind_address": "\#(v4Bind)""#,
            #""v6_bind_address": "\#(v6Bind)""#,
            #""user": "\#(user)""#,
            #""state_dir": "\#(stateDir)""#,
        ]
        if let rateLimits { members.append(#""rate_limits": \#(rateLimits)"#) }
        members += extra
        return "{\n  " + members.joined(separator: ",\n  ") + "\n}\n"
    }
}
