/// One subscriber: the addresses it gets and the keys it is found by.
public struct Reservation: Hashable, Sendable {
    public var ipv4: IPv4Address
    public var ipv6NA: IPv6Address
    /// The delegated prefix, host bits cleared at load time.
    public var ipv6PD: IPv6Prefix
    public var mac: MACAddress?
    public var duid: DUID?
    public var option82: Option82?
    public var option1837: Option1837?
    /// The reservation's own `options_v4` / `v4_lease_time` and `options_v6` / `v6_lease_time`.
    public var optionsV4: DHCPOptionSet = .empty
    public var optionsV6: DHCPOptionSet = .empty

    public init(ipv4: IPv4Address, ipv6NA: IPv6Address, ipv6PD: IPv6Prefix, mac: MACAddress? = nil,
                duid: DUID? = nil, option82: Option82? = nil, option1837: Option1837? = nil) {
        self.ipv4 = ipv4
        self.ipv6NA = ipv6NA
        self.ipv6PD = ipv6PD
        self.mac = mac
        self.duid = duid
        self.option82 = option82
        self.option1837 = option1837
    }

    /// Whether DHCPv4 can find this reservation (by chaddr MAC or by Option 82).
    public var hasV4Key: Bool { mac != nil || option82 != nil }
    /// Whether DHCPv6 can find it (DUID, Option 18/37, MAC extractors, or Option 82 via a learned binding).
    public var hasV6Key: Bool { duid != nil || option1837 != nil || mac != nil || option82 != nil }
}

/// How a reservation was found, as reported in events and logs.
public enum MatchMethod: String, Sendable, Hashable {
    case mac
    case option82
    case duid
    case option1837
}

/// A successful lookup: the reservation's position in the snapshot and how it was found.
public struct ReservationMatch: Hashable, Sendable {
    public var index: Int
    public var method: MatchMethod
    /// `chaddr`, an extractor name, `lease_fallback`, or nil (DUID match).
    public var extractor: String?

    public init(index: Int, method: MatchMethod, extractor: String?) {
        self.index = index
        self.method = method
        self.extractor = extractor
    }
}
