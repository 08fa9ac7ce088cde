/// The DHCP options and lease time that one level of configuration sets: the top of
/// `config.json` (`options_v4` / `options_v6`), one `subnets_v4[]` / `subnets_v6[]` entry, or one
/// reservation. Values are already encoded for the wire (the loader turns `domain_search`,
/// `classless_routes`, `ntp_servers` … into their RFC payloads), so a worker only copies bytes.
///
/// Levels merge key by key when a reply is built: reservation over subnet over top
/// (docs/configuration.md, "Options"). Equal sets are stored once (interned) and referred to by
/// index.
public struct DHCPOptionSet: Hashable, Sendable {
    /// One configured option.
    public struct Entry: Hashable, Sendable {
        /// The option code (DHCPv4: 1–254; DHCPv6: 16 bits).
        public var code: UInt16
        /// The option's value as it goes on the wire, without code and length. A DHCPv4 value may be
        /// longer than 255 bytes; it is then split into several instances when sent (RFC 3396).
        public var payload: [UInt8]
        /// Sent even when the client does not ask for it (`always_send` at the level that set it).
        public var alwaysSend: Bool

        public init(code: UInt16, payload: [UInt8], alwaysSend: Bool = false) {
            self.code = code
            self.payload = payload
            self.alwaysSend = alwaysSend
        }
    }

    /// At most one entry per code, in ascending code order.
    public private(set) var entries: [Entry]
    /// `v4_lease_time` (in an `options_v4` level) or `v6_lease_time` (in an `options_v6` level) set at
    /// this level; nil inherits. The top level's lease time stays in ``ServerConfig/leases``.
    public var leaseTime: UInt32?

    public static let empty = DHCPOptionSet(entries: [], leaseTime: nil)

    /// - Parameter entries: any order; for a code given twice the last one is kept.
    public init(entries: [Entry], leaseTime: UInt32? = nil) {
        var byCode: [UInt16: Entry] = [:]
        for e in entries { byCode[e.code] = e }
        self.entries = byCode.values.sorted { $0.code < $1.code }
        self.leaseTime = leaseTime
    }

    public var isEmpty: Bool { entries.isEmpty && leaseTime == nil }

    /// The entry for `code`, if this level sets it (binary search; no allocation).
    @inlinable
    public func entry(code: UInt16) -> Entry? {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            let c = entries[mid].code
            if c == code { return entries[mid] }
            if c < code { low = mid + 1 } else { high = mid }
        }
        return nil
    }
}
