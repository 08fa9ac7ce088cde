/// One thing that names a single reservation: one of its four keys or one of its three addresses.
/// Each is unique across the set (validation rejects duplicates), so a key finds at most one entry.
public enum ReservationKey: Hashable, Sendable, CustomStringConvertible {
    case mac(MACAddress)
    case duid(DUID)
    case option82(Option82)
    case option1837(Option1837)
    case ipv4(IPv4Address)
    case ipv6NA(IPv6Address)
    /// Compared after masking (host bits cleared), as duplicates are.
    case ipv6PD(IPv6Prefix)

    /// The kinds, in the order of the persisted fields.
    public enum Kind: Int, CaseIterable, Sendable {
        case ipv4, ipv6NA, ipv6PD, mac, duid, option82, option1837

        /// The field name in requests and `reservations.json`.
        public var name: String {
            switch self {
            case .ipv4: "ipv4"
            case .ipv6NA: "ipv6_na"
            case .ipv6PD: "ipv6_pd"
            case .mac: "mac"
            case .duid: "duid"
            case .option82: "option82"
            case .option1837: "option1837"
            }
        }

        /// The four identifiers (not the addresses).
        public static let identifiers: [Kind] = [.mac, .duid, .option82, .option1837]
    }

    public var kind: Kind {
        switch self {
        case .mac: .mac
        case .duid: .duid
        case .option82: .option82
        case .option1837: .option1837
        case .ipv4: .ipv4
        case .ipv6NA: .ipv6NA
        case .ipv6PD: .ipv6PD
        }
    }

    /// `reservation`'s key of `kind`, nil when it has none.
    public static func of(_ kind: Kind, in r: Reservation) -> ReservationKey? {
        switch kind {
        case .mac: r.mac.map(ReservationKey.mac)
        case .duid: r.duid.map(ReservationKey.duid)
        case .option82: r.option82.map(ReservationKey.option82)
        case .option1837: r.option1837.map(ReservationKey.option1837)
        case .ipv4: .ipv4(r.ipv4)
        case .ipv6NA: .ipv6NA(r.ipv6NA)
        case .ipv6PD: .ipv6PD(r.ipv6PD.masked)
        }
    }

    /// The hash the store's indexes use: the snapshot's ``KeyHash`` for the keys, its mixer for
    /// the addresses (as the loader's duplicate check does).
    var hash: UInt64 {
        let mix = KeyHash.mix
        switch self {
        case .mac(let m): return KeyHash.mac(m.value)
        case .duid(let d): return d.bytes.withUnsafeBytes(KeyHash.duid)
        case .option82(let o): return KeyHash.option82(o)
        case .option1837(let o): return KeyHash.option1837(o)
        case .ipv4(let a): return mix(UInt64(a.value))
        case .ipv6NA(let a): return mix(a.high ^ mix(a.low))
        case .ipv6PD(let p):
            let m = p.masked
            return mix(m.address.high ^ mix(m.address.low ^ UInt64(m.prefixLength)))
        }
    }

    /// The value as messages show it (`00-11-22-33-44-55`, `{"remote":"r"}`, `2001:db8::/56`).
    public var description: String {
        switch self {
        case .mac(let m): m.description
        case .duid(let d): d.description
        case .option82(let o): ReservationPersistence.compactJSON(o)
        case .option1837(let o): ReservationPersistence.compactJSON(o)
        case .ipv4(let a): a.description
        case .ipv6NA(let a): a.description
        case .ipv6PD(let p): p.masked.description
        }
    }
}
