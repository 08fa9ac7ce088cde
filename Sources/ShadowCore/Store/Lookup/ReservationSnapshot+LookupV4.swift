/// The DHCPv4 lookup (docs/dhcpv4.md), the one implementation behind the DHCPv4 engine and the
/// management `lookup` (and the coming `explain` and leasequery): each step names how it matched.
extension ReservationSnapshot {
    /// The DHCPv4 lookup order: chaddr MAC, then each Option 82 extractor in configured order; the
    /// first candidate present in the index wins.
    public func lookupV4(mac: MACAddress?, option82: Option82?,
                         extractors: [Option82Extractor]) -> ReservationMatch? {
        if let mac, let match = matchV4(mac: mac) { return match }
        guard let option82 else { return nil }
        return matchV4(option82: option82, extractors: extractors)
    }

    /// The reservation with `chaddr` `mac` (method `mac`, extractor `chaddr`).
    public func matchV4(mac: MACAddress) -> ReservationMatch? {
        index(mac: mac).map { ReservationMatch(index: $0, method: .mac, extractor: "chaddr") }
    }

    /// The first of `extractors` whose key from `option82` is reserved (method `option82`).
    public func matchV4(option82: Option82, extractors: [Option82Extractor]) -> ReservationMatch? {
        for e in extractors {
            if let key = e.extract(option82), let i = index(option82: key) {
                return ReservationMatch(index: i, method: .option82, extractor: e.name)
            }
        }
        return nil
    }
}
