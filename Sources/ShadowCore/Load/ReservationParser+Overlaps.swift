/// Cross-entry checks on the IPv6 space: a delegated prefix inside another entry's prefix, and an
/// IA_NA address inside any entry's delegated prefix (its own included). Either would route one
/// subscriber's traffic to another, or to the wrong side of a CPE. Equal prefixes are duplicates
/// (``reportDuplicates()``), not overlaps.
///
/// Cost: one pass records, per prefix length in use, the lowest and highest network; a query
/// (an address or a longer prefix masked to a length in use) outside that range cannot match,
/// which with separate address and prefix pools skips every entry. The queries left are joined
/// with that length's networks partition by partition (``join(_:_:match:)``).
extension ReservationParser {
    mutating func reportOverlaps() {
        let bad = unusable
        func usable(_ i: Int, _ f: ReservationField) -> Bool { bad.isEmpty || !(bad[Int32(i)]?.contains(f) ?? false) }
        var found: [Overlap] = []
        // One pass over the entries (large structs) into compact arrays; the rest reads only those.
        var addresses: [Keyed] = []
        var prefixes: [(keyed: Keyed, length: UInt8)] = []
        addresses.reserveCapacity(reservations.count)
        prefixes.reserveCapacity(reservations.count)
        var low = [IPv6Address](repeating: IPv6Address(high: .max, low: .max), count: 129)
        var high = [IPv6Address](repeating: .any, count: 129)
        var counts = [Int](repeating: 0, count: 129)
        reservations.withUnsafeBufferPointer { all in
            for i in all.indices {
                if usable(i, .ipv6NA) { addresses.append(Keyed(all[i].ipv6NA, i, isAddress: true)) }
                guard usable(i, .ipv6PD) else { continue }
                let p = all[i].ipv6PD.masked
                let l = Int(p.prefixLength)
                prefixes.append((Keyed(p.address, i, isAddress: false), p.prefixLength))
                counts[l] += 1
                if p.address < low[l] { low[l] = p.address }
                if p.address > high[l] { high[l] = p.address }
            }
        }
        let lengths = (0...128).filter { counts[$0] > 0 }
        // Queries: addresses and longer prefixes masked to a length in use, inside its range.
        var queries: [[Keyed]] = Array(repeating: [], count: 129)
        for l in lengths {
            for var a in addresses {
                a.network = a.network.masked(to: l)
                if a.network >= low[l], a.network <= high[l] { queries[l].append(a) }
            }
            for (var p, length) in prefixes where Int(length) > l {
                p.network = p.network.masked(to: l)
                if p.network >= low[l], p.network <= high[l] { queries[l].append(p) }
            }
        }
        for l in lengths where !queries[l].isEmpty {
            var members: [Keyed] = []
            members.reserveCapacity(counts[l])
            for (p, length) in prefixes where Int(length) == l { members.append(p) }
            Self.join(members, queries[l]) { q, j in
                found.append(Overlap(entry: Int(q.entry), field: q.isAddress ? .ipv6NA : .ipv6PD, container: j))
            }
        }
        found.sort { ($0.entry, $0.field == .ipv6NA ? 0 : 1) < ($1.entry, $1.field == .ipv6NA ? 0 : 1) }
        for o in found {
            let (i, j) = (o.entry, o.container)
            let container = reservations[j].ipv6PD.masked
            if o.field == .ipv6NA {
                let whose = i == j ? "this entry's own ipv6_pd" : "the ipv6_pd of \(location(j))"
                error(i, .ipv6NA, "\(reservations[i].ipv6NA) is inside \(container), \(whose)")
            } else {
                error(i, .ipv6PD, "\(reservations[i].ipv6PD.masked) is inside \(container), the ipv6_pd of \(location(j))")
            }
        }
    }

    private struct Overlap {
        var entry: Int
        var field: ReservationField
        var container: Int
    }

    /// A network and the entry it comes from (for a query: whether it is the entry's address).
    private struct Keyed {
        var network: IPv6Address
        var entry: Int32
        var isAddress: Bool

        init(_ network: IPv6Address, _ entry: Int, isAddress: Bool) {
            self.network = network
            self.entry = Int32(entry)
            self.isAddress = isAddress
        }

        var hash: UInt64 { KeyHash.mix(network.high ^ KeyHash.mix(network.low)) }
    }

    /// Calls `match(query, member entry)` for every query whose network equals a member's (the
    /// first member with that network). Both sides are first scattered by the top bits of their
    /// hash into partitions of about 256 members (sequential writes), then each partition is
    /// joined through a small table that stays in cache, as ``DuplicateFinder`` does.
    private static func join(_ members: [Keyed], _ queries: [Keyed], match: (Keyed, Int) -> Void) {
        var bits = 0
        while (members.count >> bits) > 256 { bits += 1 }
        let partitions = 1 << bits
        func scatter(_ items: [Keyed]) -> (items: [Keyed], starts: [Int]) {
            guard bits > 0 else { return (items, [0, items.count]) }
            let shift = UInt64(64 - bits)
            var starts = [Int](repeating: 0, count: partitions + 1)
            for k in items { starts[Int(k.hash >> shift) + 1] += 1 }
            for p in 0..<partitions { starts[p + 1] += starts[p] }
            var fill = starts
            let out = [Keyed](unsafeUninitializedCapacity: items.count) { buffer, initialized in
                for k in items {
                    let p = Int(k.hash >> shift)
                    (buffer.baseAddress! + fill[p]).initialize(to: k)
                    fill[p] += 1
                }
                initialized = items.count
            }
            return (out, starts)
        }
        let m = scatter(members)
        let q = scatter(queries)
        m.items.withUnsafeBufferPointer { ms in
            for p in 0..<partitions where m.starts[p + 1] > m.starts[p] && q.starts[p + 1] > q.starts[p] {
                let part = UnsafeBufferPointer(rebasing: ms[m.starts[p]..<m.starts[p + 1]])
                var capacity = 16
                while capacity < part.count * 2 { capacity <<= 1 }
                let mask = capacity - 1
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: capacity) { slots in
                    slots.initialize(repeating: -1)
                    for (position, k) in part.enumerated() {
                        var s = Int(truncatingIfNeeded: k.hash) & mask
                        while slots[s] >= 0 && part[Int(slots[s])].network != k.network { s = (s + 1) & mask }
                        if slots[s] < 0 { slots[s] = Int32(position) }
                    }
                    for k in q.items[q.starts[p]..<q.starts[p + 1]] {
                        var s = Int(truncatingIfNeeded: k.hash) & mask
                        while slots[s] >= 0 {
                            let member = part[Int(slots[s])]
                            if member.network == k.network {
                                match(k, Int(member.entry))
                                break
                            }
                            s = (s + 1) & mask
                        }
                    }
                }
            }
        }
    }
}

extension IPv6Address {
    /// The address with every bit beyond the first `length` cleared.
    @inline(__always) func masked(to length: Int) -> IPv6Address {
        let hiMask: UInt64 = length >= 64 ? .max : (length == 0 ? 0 : .max << (64 - length))
        let loMask: UInt64 = length <= 64 ? 0 : (length == 128 ? .max : .max << (128 - length))
        return IPv6Address(high: high & hiMask, low: low & loMask)
    }
}
