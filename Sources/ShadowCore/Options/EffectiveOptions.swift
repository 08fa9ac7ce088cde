/// The options and lease time a reservation gets once the levels are merged (reservation over
/// subnet over top, key by key): what `shadowctl lookup` and `shadow-master --check` show.
public enum EffectiveOptions {
    /// The first `subnets_v4` entry containing `ipv4` (the one whose options apply).
    public static func subnetV4(_ config: ServerConfig, containing ipv4: IPv4Address) -> SubnetV4? {
        config.subnetsV4.first { $0.net.contains(ipv4) }
    }

    /// The merged DHCPv4 level of `reservation`; its lease time is never nil (`v4_lease_time` of
    /// the top level when no narrower level sets one).
    public static func v4(_ reservation: Reservation, _ config: ServerConfig) -> DHCPOptionSet {
        let subnet = subnetV4(config, containing: reservation.ipv4)?.options ?? .empty
        var merged = reservation.optionsV4.overriding(subnet.overriding(config.optionsV4))
        merged.leaseTime = merged.leaseTime ?? config.leases.v4Lease
        return merged
    }

    /// The merged DHCPv6 level of `reservation` for clients whose relay link-address lies in
    /// `subnet` (nil: outside every `subnets_v6` entry, or a direct client).
    public static func v6(_ reservation: Reservation, _ config: ServerConfig, subnet: SubnetV6? = nil) -> DHCPOptionSet {
        var merged = reservation.optionsV6.overriding((subnet?.options ?? .empty).overriding(config.optionsV6))
        merged.leaseTime = merged.leaseTime ?? config.leases.v6Valid
        return merged
    }

    /// `{"subnet": "a.b.c.d/len", "lease_time": N, "options_v4": {...}}`.
    public static func v4JSON(_ reservation: Reservation, _ config: ServerConfig) -> String {
        let set = v4(reservation, config)
        var w = JSONWriter()
        w.beginObject()
        w.field("subnet", subnetV4(config, containing: reservation.ipv4)?.net.description)
        w.field("lease_time", set.leaseTime)
        w.key("options_v4")
        w.raw(set.configurationJSON(.v4))
        w.endObject()
        return w.text
    }

    /// `{"lease_time": N, "options_v6": {...}, "subnets_v6": [{"link", "lease_time", "options_v6"}]}`:
    /// the top level and the reservation merged, then each `subnets_v6` entry merged the same way
    /// (the subnet is chosen per request, by the closest relay's link-address).
    public static func v6JSON(_ reservation: Reservation, _ config: ServerConfig) -> String {
        let set = v6(reservation, config)
        var w = JSONWriter()
        w.beginObject()
        w.field("lease_time", set.leaseTime)
        w.key("options_v6")
        w.raw(set.configurationJSON(.v6))
        w.key("subnets_v6")
        w.beginArray()
        for subnet in config.subnetsV6 {
            let merged = v6(reservation, config, subnet: subnet)
            w.beginObject()
            w.field("link", subnet.link.description)
            w.field("lease_time", merged.leaseTime)
            w.key("options_v6")
            w.raw(merged.configurationJSON(.v6))
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.text
    }
}
