import ShadowCore

/// Where the server under test listens and how it logs, for the generated `config.json` and
/// `ids.json`.
public struct ServerSetup: Sendable, Hashable {
    /// `v4_bind_address` host and `ids.v4` (option 54).
    public var v4Address: IPv4Address
    /// `v6_bind_address` host.
    public var v6Address: IPv6Address
    /// `state_dir` (absolute).
    public var stateDirectory: String
    /// `logging.level`; `warn` keeps per-packet log lines out of the measurement.
    public var logLevel: String
    /// `user` the workers run as.
    public var user: String
    /// `option82_extractors`; left out when empty (`circuit_only` for ``BenchPlan/Keying/option82``).
    public var option82Extractors: [String]

    public init(v4Address: IPv4Address, v6Address: IPv6Address, stateDirectory: String,
                logLevel: String = "warn", user: String = "nobody", option82Extractors: [String] = []) {
        self.v4Address = v4Address
        self.v6Address = v6Address
        self.stateDirectory = stateDirectory
        self.logLevel = logLevel
        self.user = user
        self.option82Extractors = option82Extractors
    }
}

/// The three files of a server configuration directory, generated for a ``BenchPlan``.
public enum BenchFiles {
    /// `reservations.json`: one line per subscriber with `ipv4`, `ipv6_na`, `ipv6_pd`, then `mac` and
    /// `duid`, or with ``BenchPlan/Keying/option82`` only `option82: {circuit}`.
    public static func reservations(_ plan: BenchPlan) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(plan.count * 170 + 4)
        out.append(UInt8(ascii: "["))
        for i in 0..<plan.count {
            out.append(contentsOf: (i == 0 ? "\n" : ",\n").utf8)
            out.append(contentsOf: entry(plan, i).utf8)
        }
        out.append(contentsOf: "\n]\n".utf8)
        return out
    }

    static func entry(_ plan: BenchPlan, _ i: Int) -> String {
        let addresses = "{\"ipv4\":\"\(plan.ipv4(i))\",\"ipv6_na\":\"\(plan.ipv6NA(i))\",\"ipv6_pd\":\"\(plan.ipv6PD(i))\","
        switch plan.keying {
        case .mac: return addresses + "\"mac\":\"\(plan.mac(i))\",\"duid\":\"\(DUID.format(plan.duid(i)))\"}"
        case .option82: return addresses + "\"option82\":{\"circuit\":\"\(plan.circuitID(i))\"}}"
        }
    }

    /// `config.json`: the plan's subnet, DNS, the bind addresses, log level, user and state directory,
    /// and storm control's per-client limit off: `load` cycles through the plan's subscribers, so
    /// with a small plan at a high rate each client repeats many times a second, and the run must
    /// measure the server, not the limiter (whose cost bench/callgrind.sh counts, on).
    public static func config(_ setup: ServerSetup) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("dns_v4"); w.beginArray(); for a in BenchPlan.dnsV4 { w.string(a.description) }; w.endArray()
        w.key("dns_v6"); w.beginArray(); for a in BenchPlan.dnsV6 { w.string(a.description) }; w.endArray()
        w.key("subnets_v4"); w.beginArray()
        w.beginObject()
        w.field("net", BenchPlan.subnet.description)
        w.field("gateway", BenchPlan.gateway.description)
        w.endObject()
        w.endArray()
        if !setup.option82Extractors.isEmpty {
            w.key("option82_extractors"); w.beginArray(); for e in setup.option82Extractors { w.string(e) }; w.endArray()
        }
        w.field("v4_bind_address", SocketAddress.v4(setup.v4Address, port: 67).description)
        w.field("v6_bind_address", SocketAddress.v6(setup.v6Address, port: 547).description)
        w.key("logging"); w.beginObject(); w.field("level", setup.logLevel); w.field("stdout", true); w.endObject()
        w.field("user", setup.user)
        w.field("state_dir", setup.stateDirectory)
        w.key("rate_limits"); w.beginObject(); w.field("per_client_per_s", 0); w.endObject()
        w.endObject()
        return Array((w.text + "\n").utf8)
    }

    /// `ids.json`: `v4` is the server's own address, `v6` ``BenchPlan/serverDUID``.
    public static func identifiers(_ setup: ServerSetup) -> [UInt8] {
        Array("{\"v4\":\"\(setup.v4Address)\",\"v6\":\"\(DUID.format(BenchPlan.serverDUID))\"}\n".utf8)
    }
}
