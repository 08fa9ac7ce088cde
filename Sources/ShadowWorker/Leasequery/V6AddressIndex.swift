import ShadowCore

/// Reservation by IPv6 address: every reservation's address and delegated prefix, sorted, for
/// queries by address and bulk answers in address order. Built off the packet path (with the
/// snapshot, on the builder's thread) and only with `leasequery` enabled.
public struct V6AddressIndex: Sendable {
    struct Entry: Sendable {
        var address: IPv6Address
        var index: Int32
    }

    /// Addresses (IA_NA), ascending.
    private let addresses: [Entry]
    /// Delegated prefixes by network address, ascending, with their lengths.
    private let prefixes: [Entry]
    private let prefixLengths: [UInt8]
    /// The snapshot generation it was built from.
    public let generation: UInt64

    public init(_ snapshot: ReservationSnapshot) {
        generation = snapshot.generation
        var a: [Entry] = [], p: [(Entry, UInt8)] = []
        a.reserveCapacity(snapshot.count)
        p.reserveCapacity(snapshot.count)
        for i in 0..<snapshot.count {
            a.append(Entry(address: snapshot.ipv6NA(at: i), index: Int32(i)))
            let pd = snapshot.ipv6PD(at: i)
            p.append((Entry(address: pd.network, index: Int32(i)), pd.prefixLength))
        }
        a.sort { $0.address < $1.address }
        p.sort { $0.0.address < $1.0.address }
        addresses = a
        prefixes = p.map(\.0)
        prefixLengths = p.map(\.1)
    }

    /// The reservation whose address is `address`, else the one whose delegated prefix contains it.
    public func reservation(holding address: IPv6Address) -> Int? {
        var i = lastAtOrBelow(address, in: addresses)
        if let k = i, addresses[k].address == address { return Int(addresses[k].index) }
        i = lastAtOrBelow(address, in: prefixes)
        if let k = i, IPv6Prefix(address: prefixes[k].address, prefixLength: prefixLengths[k]).contains(address) {
            return Int(prefixes[k].index)
        }
        return nil
    }

    /// `indexes` ordered by their reservation's address (ascending).
    public static func ordered(_ indexes: [Int], in snapshot: ReservationSnapshot) -> [Int] {
        indexes.map { ($0, snapshot.ipv6NA(at: $0)) }.sorted { $0.1 < $1.1 }.map(\.0)
    }

    private func lastAtOrBelow(_ a: IPv6Address, in entries: [Entry]) -> Int? {
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].address <= a { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : lo - 1
    }
}
