/// `ids.json`: the identities this server answers as.
public struct ServerIdentifiers: Hashable, Sendable {
    /// DHCPv4 Server Identifier (option 54).
    public var v4: IPv4Address
    /// DHCPv6 Server Identifier (option 2) payload.
    public var v6: DUID

    public init(v4: IPv4Address, v6: DUID) {
        self.v4 = v4
        self.v6 = v6
    }
}

/// One `subnets_v4` entry.
public struct SubnetV4: Hashable, Sendable {
    public var net: IPv4Network
    public var gateway: IPv4Address
    /// Prefix length of the mask sent in option 1 (defaults to the prefix length of `net`).
    public var replyPrefixLength: UInt8
    /// `options_v4` and `v4_lease_time` of this subnet.
    public var options: DHCPOptionSet
    /// `relays`: when not empty, the only relay networks a client of this subnet may come through.
    public var relays: [IPv4Network]

    public init(net: IPv4Network, gateway: IPv4Address, replyPrefixLength: UInt8? = nil,
                options: DHCPOptionSet = .empty, relays: [IPv4Network] = []) {
        self.net = net
        self.gateway = gateway
        self.replyPrefixLength = replyPrefixLength ?? net.prefixLength
        self.options = options
        self.relays = relays
    }

    /// The subnet mask sent in option 1.
    public var replyMask: IPv4Address { IPv4Network.mask(prefixLength: replyPrefixLength) }
}

/// One `subnets_v6` entry: the options of the clients whose closest relay's link-address lies in
/// `link`.
public struct SubnetV6: Hashable, Sendable {
    public var link: IPv6Prefix
    /// `options_v6` and `v6_lease_time` of this subnet.
    public var options: DHCPOptionSet
    /// `relays`: when not empty, the only relay networks a client of this subnet may come through.
    public var relays: [IPv6Prefix]

    public init(link: IPv6Prefix, options: DHCPOptionSet = .empty, relays: [IPv6Prefix] = []) {
        self.link = link
        self.options = options
        self.relays = relays
    }
}

/// Lease timers derived from `v4_lease_time` and `v6_lease_time` in 64-bit arithmetic.
/// 0xFFFFFFFF means infinite and makes every derived timer infinite too.
public struct LeaseTimes: Hashable, Sendable {
    public static let infinite: UInt32 = 0xFFFF_FFFF

    public var v4Lease: UInt32
    public var v4T1: UInt32
    public var v4T2: UInt32
    public var v6Valid: UInt32
    public var v6Preferred: UInt32
    public var v6T1: UInt32
    public var v6T2: UInt32

    /// - Parameters:
    ///   - v4Lease: option 51 (default 3600).
    ///   - v6Valid: the v6 valid lifetime; nil means 12 × `v4Lease`, saturating at infinite.
    public init(v4Lease: UInt32 = 3600, v6Valid: UInt32? = nil) {
        let inf = UInt64(LeaseTimes.infinite)
        func derive(_ base: UInt64, _ num: UInt64, _ den: UInt64) -> UInt32 {
            base == inf ? LeaseTimes.infinite : UInt32(base * num / den)
        }
        let v4 = UInt64(v4Lease)
        self.v4Lease = v4Lease
        v4T1 = derive(v4, 1, 2)
        v4T2 = derive(v4, 7, 8)
        let valid = v6Valid.map(UInt64.init) ?? (v4 == inf ? inf : min(v4 * 12, inf))
        self.v6Valid = UInt32(valid)
        let preferred = valid == inf ? inf : valid / 2
        v6Preferred = UInt32(preferred)
        v6T1 = derive(preferred, 1, 2)
        v6T2 = derive(preferred, 4, 5)
    }
}

/// A UDP or TCP endpoint written as `ip:port` or `[ipv6]:port`.
public enum SocketAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(IPv4Address, port: UInt16)
    case v6(IPv6Address, port: UInt16)

    public init?(_ text: String) {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"),
                  text[text.index(after: close)...].hasPrefix(":"),
                  let addr = IPv6Address(text[text.index(after: text.startIndex)..<close]),
                  let port = SocketAddress.port(text[text.index(close, offsetBy: 2)...])
            else { return nil }
            self = .v6(addr, port: port)
        } else {
            guard let colon = text.lastIndex(of: ":"), let addr = IPv4Address(text[..<colon]),
                  let port = SocketAddress.port(text[text.index(after: colon)...]) else { return nil }
            self = .v4(addr, port: port)
        }
    }

    private static func port(_ s: Substring) -> UInt16? {
        guard !s.isEmpty, s.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return UInt16(s)
    }

    public var port: UInt16 {
        switch self {
        case .v4(_, let p), .v6(_, let p): p
        }
    }

    public var isLoopback: Bool {
        switch self {
        case .v4(let a, _): a.isLoopback
        case .v6(let a, _): a.isLoopback
        }
    }

    public var description: String {
        switch self {
        case .v4(let a, let p): "\(a):\(p)"
        case .v6(let a, let p): "[\(a)]:\(p)"
        }
    }
}

/// Log verbosity, most severe first.
public enum LogLevel: String, Sendable, Hashable, CaseIterable {
    case error, warn, info, debug, trace

    /// Accepts the names case-insensitively, the digits 1 (error) to 5 (trace), and "" (info).
    public init?(configValue: String) {
        switch configValue.lowercased() {
        case "": self = .info
        case "error", "1": self = .error
        case "warn", "2": self = .warn
        case "info", "3": self = .info
        case "debug", "4": self = .debug
        case "trace", "5": self = .trace
        default: return nil
        }
    }
}

/// How log lines are written on standard output: `logging.format`.
public enum LogFormat: String, Sendable, Hashable, CaseIterable {
    /// `2026-12-06T05:00:00.123Z INFO master: message key=value …`, for a person at a terminal.
    case text
    /// One JSON object per line, for a log shipper.
    case json

    /// The default when `logging.format` is absent: text when standard output is a terminal.
    public static func defaultFor(terminal: Bool) -> LogFormat { terminal ? .text : .json }
}

/// `logging` (or the seed's `log_level`).
public struct LoggingSettings: Hashable, Sendable {
    public struct File: Hashable, Sendable {
        public var path: String
        public var maxFiles: Int
        public init(path: String, maxFiles: Int = 3) {
            self.path = path
            self.maxFiles = maxFiles
        }
    }

    public var level: LogLevel
    public var stdout: Bool
    public var file: File?
    /// The format of standard output's lines; nil: ``LogFormat/defaultFor(terminal:)``. A file
    /// always gets JSON lines.
    public var format: LogFormat?
    /// `logging.child_lines_per_s`: how many lines per second of each sandboxed process's stdout
    /// and stderr the master passes on; the rest are dropped and counted (docs/privileges.md).
    public var childLinesPerSecond: Int

    /// The default of `child_lines_per_s`: far above a worker logging a line per reply at a busy
    /// site, yet a flood costs the master a bounded share of a core (docs/privileges.md).
    public static let defaultChildLinesPerSecond = 10_000
    public static let childLinesPerSecondMaximum: Int64 = 1_000_000

    public init(level: LogLevel = .info, stdout: Bool = true, file: File? = nil, format: LogFormat? = nil,
                childLinesPerSecond: Int = LoggingSettings.defaultChildLinesPerSecond) {
        self.level = level
        self.stdout = stdout
        self.file = file
        self.format = format
        self.childLinesPerSecond = childLinesPerSecond
    }
}

/// `events` (or the seed's `events_address`).
public struct EventSettings: Hashable, Sendable {
    public struct ClickHouse: Hashable, Sendable {
        public var url: String
        public var user: String
        public var password: String
        public var database: String
        public var hostname: String?
        public init(url: String, user: String, password: String, database: String = "dhcp", hostname: String? = nil) {
            self.url = url
            self.user = user
            self.password = password
            self.database = database
            self.hostname = hostname
        }

        /// ``url`` parsed (nil when it does not parse; the loader refuses such a configuration).
        public var endpoint: ClickHouseURL? { try? ClickHouseURL(parsing: url) }
    }

    public var queueSize: Int
    public var tcp: SocketAddress?
    public var clickhouse: ClickHouse?

    public init(queueSize: Int = 16384, tcp: SocketAddress? = nil, clickhouse: ClickHouse? = nil) {
        self.queueSize = queueSize
        self.tcp = tcp
        self.clickhouse = clickhouse
    }

    public var isEnabled: Bool { tcp != nil || clickhouse != nil }
}

/// `config.json`, validated and with defaults applied.
public struct ServerConfig: Hashable, Sendable {
    public var dnsV4: [IPv4Address]
    public var dnsV6: [IPv6Address]
    public var subnetsV4: [SubnetV4]
    /// `subnets_v6`, in configured order (the first containing link wins).
    public var subnetsV6: [SubnetV6] = []
    /// Top-level `options_v4` / `options_v6` (their lease time stays nil: see ``leases``).
    public var optionsV4: DHCPOptionSet = .empty
    public var optionsV6: DHCPOptionSet = .empty
    /// `ms_classless_routes` of the top-level `options_v4`: every level that sets
    /// `classless_routes` (121) also sets 249 with the same payload.
    public var msClasslessRoutes = false
    public var option82Extractors: [Option82Extractor]
    public var option1837Extractors: [Option1837Extractor]
    public var macExtractors: [MACExtractor]
    public var leases: LeaseTimes
    public var logging: LoggingSettings
    public var events: EventSettings
    public var mgmtAddress: SocketAddress?
    /// Path of the management Unix socket (mode 0600), if enabled.
    public var mgmtSocket: String?
    public var v4BindAddress: SocketAddress
    public var v6BindAddress: SocketAddress
    /// Account the workers run as.
    public var user: String
    /// Where the master keeps `bindings.json`.
    public var stateDir: String
    /// Most MAC→Option 82 bindings kept; the oldest is evicted first.
    public var bindingTableSize: Int
    /// Where `GET /metrics` (Prometheus text format) is served, if anywhere.
    public var metricsAddress: SocketAddress?
    /// Largest management request accepted, in bytes (a 1,000,000-entry `replace` is ~200 MB).
    public var mgmtMaxRequestBytes: Int
    /// Management connections open at once (each request is one connection); more are refused.
    public var mgmtMaxConnections: Int = 64
    /// Worker processes per protocol, sharing that protocol's socket (1–64).
    public var workersV4: Int = 1
    public var workersV6: Int = 1
    /// `mgmt_auth`: tokens and the Unix group of the management interface.
    public var mgmtAuth = ManagementAuthSettings()
    /// `mgmt_tcp_insecure_writes`: without `tokens_file`, allow changes over TCP anyway (upstream's
    /// behaviour; warned at every start).
    public var mgmtTCPInsecureWrites = false
    /// `metrics_allow_remote`: serve `/metrics` on a non-loopback address without TLS.
    public var metricsAllowRemote = false
    /// High availability with peer servers (docs/high-availability.md); nil: this server is alone.
    public var ha: HASettings?
    /// `mgmt_tls`: TLS on `mgmt_address` and `mgmt_http_address`.
    public var mgmtTLS: ManagementTLSSettings?
    /// `mgmt_http_address`: the HTTP JSON API (`POST /v1/command`).
    public var mgmtHTTPAddress: SocketAddress?
    /// `leasequery` (docs/leasequery.md); nil: leasequery is not answered.
    public var leasequery: LeasequerySettings?
    /// `rate_limits` (docs/configuration.md, "Storm control"): per client on at 10/s, per relay off.
    public var rateLimits = RateLimitSettings()

    public init(dnsV4: [IPv4Address], dnsV6: [IPv6Address], subnetsV4: [SubnetV4],
                option82Extractors: [Option82Extractor] = [], option1837Extractors: [Option1837Extractor] = [],
                macExtractors: [MACExtractor] = [.clientLinklayerAddress], leases: LeaseTimes = LeaseTimes(),
                logging: LoggingSettings = LoggingSettings(), events: EventSettings = EventSettings(),
                mgmtAddress: SocketAddress? = nil, mgmtSocket: String? = nil,
                v4BindAddress: SocketAddress = .v4(.any, port: 67),
                v6BindAddress: SocketAddress = .v6(.any, port: 547),
                user: String = "nobody", stateDir: String = "/var/lib/shadowdhcp",
                bindingTableSize: Int = 1_000_000, metricsAddress: SocketAddress? = nil,
                mgmtMaxRequestBytes: Int = 512 * 1024 * 1024) {
        self.dnsV4 = dnsV4
        self.dnsV6 = dnsV6
        self.subnetsV4 = subnetsV4
        self.option82Extractors = option82Extractors
        self.option1837Extractors = option1837Extractors
        self.macExtractors = macExtractors
        self.leases = leases
        self.logging = logging
        self.events = events
        self.mgmtAddress = mgmtAddress
        self.mgmtSocket = mgmtSocket
        self.v4BindAddress = v4BindAddress
        self.v6BindAddress = v6BindAddress
        self.user = user
        self.stateDir = stateDir
        self.bindingTableSize = bindingTableSize
        self.metricsAddress = metricsAddress
        self.mgmtMaxRequestBytes = mgmtMaxRequestBytes
    }

    /// The first subnet (in configured order) whose network contains `address`.
    public func subnet(containing address: IPv4Address) -> SubnetV4? {
        subnetsV4.first { $0.net.contains(address) }
    }
}
