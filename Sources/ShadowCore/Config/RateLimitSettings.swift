/// `rate_limits` of `config.json` (docs/configuration.md, "Storm control"): how many requests a
/// worker answers per second for one client and for one relay. 0 turns a limit off; a member
/// that is absent (or null, which means absent everywhere in config.json) keeps its default.
public struct RateLimitSettings: Hashable, Sendable {
    /// Largest accepted rate, per second (a DHCP worker answers some 100,000 per second in all).
    public static let maximumPerSecond: Int64 = 1_000_000
    /// `per_client_per_s` when not given: on.
    public static let defaultPerClient = 10
    /// `per_relay_per_s` when not given: off.
    public static let defaultPerRelay = 0

    /// `per_client_per_s`: answered requests per second per client (chaddr for DHCPv4, the
    /// client DUID for DHCPv6); 0 = unlimited.
    public var perClientPerSecond: Int
    /// `per_relay_per_s`: answered requests per second per relay (giaddr for DHCPv4, the source
    /// address of a Relay-forward for DHCPv6); 0 = unlimited.
    public var perRelayPerSecond: Int

    public init(perClientPerSecond: Int = RateLimitSettings.defaultPerClient,
                perRelayPerSecond: Int = RateLimitSettings.defaultPerRelay) {
        self.perClientPerSecond = perClientPerSecond
        self.perRelayPerSecond = perRelayPerSecond
    }

    /// Both limits off.
    public static let unlimited = RateLimitSettings(perClientPerSecond: 0, perRelayPerSecond: 0)

    /// Whether any limit is on.
    public var isEnabled: Bool { perClientPerSecond > 0 || perRelayPerSecond > 0 }
}
