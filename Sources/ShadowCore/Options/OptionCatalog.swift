/// Which protocol an option level belongs to: `options_v4` or `options_v6`.
public enum OptionFamily: String, Sendable, Hashable {
    case v4, v6

    /// The configuration key of a level of this family (`options_v4` / `options_v6`).
    public var levelKey: String { self == .v4 ? "options_v4" : "options_v6" }
    /// The key of the lease time set next to such a level.
    public var leaseTimeKey: String { self == .v4 ? "v4_lease_time" : "v6_lease_time" }
}

/// How a named option's JSON value is checked and encoded (``OptionEncoding``).
enum OptionKind: Hashable, Sendable {
    /// A domain name as text, without a trailing NUL (DHCPv4 15).
    case domainText
    /// One domain name in RFC 1035 wire form (DHCPv6 64).
    case domainWire
    /// A list of domain names in RFC 1035 wire form, compressed per RFC 3397 (DHCPv4 119) or not
    /// (DHCPv6 24: RFC 8415 section 10 forbids compression).
    case domainList(compressed: Bool)
    case ipv4List
    case ipv6List
    /// RFC 5908: one NTP_SUBOPTION_SRV_ADDR suboption per address (DHCPv6 56).
    case ntpServers
    /// Unsigned big-endian integer of `bytes` bytes within `range`.
    case unsigned(bytes: Int, range: ClosedRange<Int64>)
    /// Signed 32-bit big-endian (DHCPv4 2).
    case signed32
    /// RFC 3442 (DHCPv4 121, and 249 with `ms_classless_routes`).
    case classlessRoutes
    /// Printable ASCII text, 1–255 bytes (DHCPv4 66, 67).
    case text
    /// Hex bytes, at least one (DHCPv4 43).
    case hex
    /// RFC 3925 V-I vendor-specific information: `[{enterprise, hex}]` (DHCPv4 125).
    case vendorList
    /// RFC 8415 21.17: one `{enterprise, hex}` (DHCPv6 17).
    case vendorOption
}

/// One named key of `options_v4` / `options_v6`.
struct OptionKey: Hashable, Sendable {
    let name: String
    let code: UInt16
    let kind: OptionKind
    /// False for DHCPv4 108: RFC 8925 sends it only to a client that lists it in option 55.
    var mayAlwaysSend = true
}

/// The keys of `options_v4` and `options_v6` (docs/configuration.md, "Options"), their codes, and
/// the codes `custom` may not use.
enum OptionCatalog {
    static let v4: [OptionKey] = [
        OptionKey(name: "routers", code: 3, kind: .ipv4List),
        OptionKey(name: "dns_servers", code: 6, kind: .ipv4List),
        OptionKey(name: "domain_name", code: 15, kind: .domainText),
        OptionKey(name: "domain_search", code: 119, kind: .domainList(compressed: true)),
        OptionKey(name: "ntp_servers", code: 42, kind: .ipv4List),
        OptionKey(name: "mtu", code: 26, kind: .unsigned(bytes: 2, range: 68...65535)),
        OptionKey(name: "classless_routes", code: 121, kind: .classlessRoutes),
        OptionKey(name: "tftp_server", code: 66, kind: .text),
        OptionKey(name: "bootfile", code: 67, kind: .text),
        OptionKey(name: "time_offset", code: 2, kind: .signed32),
        OptionKey(name: "v6_only_preferred", code: 108,
                  kind: .unsigned(bytes: 4, range: Int64(minimumV6OnlyWait)...Int64(UInt32.max)), mayAlwaysSend: false),
        OptionKey(name: "vendor_specific", code: 43, kind: .hex),
        OptionKey(name: "vendor_identifying", code: 125, kind: .vendorList),
    ]

    static let v6: [OptionKey] = [
        OptionKey(name: "dns_servers", code: 23, kind: .ipv6List),
        OptionKey(name: "domain_search", code: 24, kind: .domainList(compressed: false)),
        OptionKey(name: "ntp_servers", code: 56, kind: .ntpServers),
        OptionKey(name: "sntp_servers", code: 31, kind: .ipv6List),
        OptionKey(name: "sol_max_rt", code: 82, kind: .unsigned(bytes: 4, range: 60...86400)),
        OptionKey(name: "inf_max_rt", code: 83, kind: .unsigned(bytes: 4, range: 60...86400)),
        OptionKey(name: "information_refresh_time", code: 32,
                  kind: .unsigned(bytes: 4, range: Int64(minimumInformationRefreshTime)...Int64(UInt32.max))),
        OptionKey(name: "aftr_name", code: 64, kind: .domainWire),
        OptionKey(name: "vendor_opts", code: 17, kind: .vendorOption),
    ]

    /// RFC 8925 MIN_V6ONLY_WAIT: a client raises any smaller value to it.
    static let minimumV6OnlyWait: UInt32 = 300
    /// RFC 8415 IRT_MINIMUM: a client raises any smaller information-refresh-time to it.
    static let minimumInformationRefreshTime: UInt32 = 600
    /// DHCPv4 249: Microsoft's classless static routes, the payload of 121.
    static let msClasslessRoutesCode: UInt16 = 249
    /// Longest value of one option, after encoding: longer than one DHCPv4 option (RFC 3396
    /// splits it) but well inside the smallest reply a client must accept in either protocol
    /// (576 bytes for DHCPv4 without option 57 leaves room for about 300 bytes of options; a
    /// value near this bound is only sent to clients that allow larger messages).
    static let maximumPayload = 1024
    /// Entries of one list value (addresses, names, routes, vendors, custom codes).
    static let maximumListCount = 64

    static func keys(_ family: OptionFamily) -> [OptionKey] { family == .v4 ? v4 : v6 }

    static func key(named name: String, _ family: OptionFamily) -> OptionKey? {
        keys(family).first { $0.name == name }
    }

    static func key(code: UInt16, _ family: OptionFamily) -> OptionKey? {
        keys(family).first { $0.code == code }
    }

    /// Why `custom` may not use `code`, or nil when it may.
    static func customRefusal(_ code: UInt16, _ family: OptionFamily) -> String? {
        if let key = key(code: code, family) { return "code \(code) is \(key.name): use that key" }
        switch family {
        case .v4:
            if code == msClasslessRoutesCode { return "code 249 is sent from classless_routes with ms_classless_routes" }
            if let why = refusedV4[code] { return "code \(code) (\(why)) is built by the server" }
            if code == 0 || code == 255 { return "code \(code) is \(code == 0 ? "Pad" : "End"), not an option" }
        case .v6:
            if let why = refusedV6[code] { return "code \(code) (\(why)) is built by the server" }
            if code == 0 { return "code 0 is reserved" }
        }
        return nil
    }

    /// DHCPv4 codes the server builds or that belong to the client or relay.
    static let refusedV4: [UInt16: String] = [
        1: "subnet mask; use reply_prefix_len", 50: "requested IP address", 51: "lease time; use v4_lease_time",
        52: "option overload", 53: "message type", 54: "server identifier", 55: "parameter request list",
        57: "maximum message size", 58: "renewal time; derived from v4_lease_time",
        59: "rebinding time; derived from v4_lease_time", 61: "client identifier", 82: "relay agent information",
    ]

    /// DHCPv6 codes the server builds or that belong to the client or relay.
    static let refusedV6: [UInt16: String] = [
        1: "client identifier", 2: "server identifier", 3: "IA_NA", 4: "IA_TA", 5: "IA address", 6: "option request",
        8: "elapsed time", 9: "relay message", 11: "authentication", 13: "status code", 14: "rapid commit",
        15: "user class", 16: "vendor class", 18: "interface-id", 19: "reconfigure message",
        20: "reconfigure accept", 25: "IA_PD", 26: "IA prefix", 37: "remote-id", 38: "subscriber-id",
        79: "client link-layer address",
    ]

    /// Whether a stored set of `family` may hold `code` (checked when a worker opens a snapshot).
    static func isStorable(_ code: UInt16, _ family: OptionFamily) -> Bool {
        switch family {
        case .v4: code >= 1 && code <= 254 && refusedV4[code] == nil
        case .v6: code != 0 && refusedV6[code] == nil
        }
    }
}
