/// The loader's IPv6 containment rules (``ReservationParser/reportOverlaps()``) for a set that
/// changes one entry at a time: no `ipv6_na` inside any entry's `ipv6_pd`, no `ipv6_pd` inside
/// another's. Without them a change could write a `reservations.json` the next load refuses.
///
/// "Is X inside a prefix of length L?" is one probe of the store's exact `ipv6_pd` index with X
/// masked to L, for each length in use (usually one or two). The other direction — "does this
/// new prefix contain an existing address or longer prefix?" — is answered by counts: per length
/// in use, how many entries' addresses, and how many longer prefixes, lie in each network of that
/// length. Counts, not position lists: typically every address of a link shares one network, so
/// a list per network would hold the whole set. Only a refusal looks for the entry to name (one
/// pass, on the error path).
struct PrefixContainment: Sendable {
    /// Delegated prefixes per length.
    fileprivate var counts = [Int](repeating: 0, count: 129)
    /// Lengths with at least one prefix, ascending.
    fileprivate var lengths: [UInt8] = []
    /// Per length in use: for each network of that length, how many entries' addresses and how
    /// many longer prefixes lie in it.
    fileprivate var inside: [UInt8: (addresses: [IPv6Address: Int], prefixes: [IPv6Address: Int])] = [:]

    init() {}
}

extension ReservationStore {
    /// Records an error for every containment `r` would break; returns how many. `r` itself is
    /// not in the set (an update has removed the old entry first).
    func containmentConflicts(_ r: Reservation, _ source: String, _ errors: inout DiagnosticList,
                              describe: (Int) -> String) -> Int {
        var n = 0
        func fail(_ field: ReservationKey.Kind, _ message: String) {
            errors.append(Diagnostic(.error, source + "." + field.name, message))
            n += 1
        }
        let pd = r.ipv6PD.masked
        if pd.prefixLength < 128, r.ipv6NA.masked(to: Int(pd.prefixLength)) == pd.address {
            fail(.ipv6NA, "\(r.ipv6NA) is inside \(pd), this entry's own ipv6_pd")
        }
        for l in containment.lengths {
            let around = r.ipv6NA.masked(to: Int(l))
            if let j = position(of: .ipv6PD(IPv6Prefix(address: around, prefixLength: l))) {
                fail(.ipv6NA, "\(r.ipv6NA) is inside \(reservations[j].ipv6PD.masked), the ipv6_pd of \(describe(j))")
            }
            if l < pd.prefixLength {
                let outer = pd.address.masked(to: Int(l))
                if let j = position(of: .ipv6PD(IPv6Prefix(address: outer, prefixLength: l))) {
                    fail(.ipv6PD, "\(pd) is inside \(reservations[j].ipv6PD.masked), the ipv6_pd of \(describe(j))")
                }
            }
        }
        // Existing addresses and longer prefixes inside the new prefix.
        let l = pd.prefixLength
        let anyAddress: Bool
        let anyPrefix: Bool
        if let counts = containment.inside[l] {
            anyAddress = counts.addresses[pd.address, default: 0] > 0
            anyPrefix = counts.prefixes[pd.address, default: 0] > 0
        } else {
            anyAddress = true  // a length no entry uses yet: the pass below decides
            anyPrefix = true
        }
        if anyAddress, let j = reservations.indices.first(where: {
            reservations[$0].ipv6NA.masked(to: Int(l)) == pd.address
        }) {
            fail(.ipv6PD, "\(pd) contains \(reservations[j].ipv6NA), the ipv6_na of \(describe(j))")
        }
        if anyPrefix, let j = reservations.indices.first(where: {
            let q = reservations[$0].ipv6PD.masked
            return q.prefixLength > l && q.address.masked(to: Int(l)) == pd.address
        }) {
            fail(.ipv6PD, "\(pd) contains \(reservations[j].ipv6PD.masked), the ipv6_pd of \(describe(j))")
        }
        return n
    }

    /// The containment counts of the whole set, at start.
    mutating func buildContainment() {
        for r in reservations { containment.counts[Int(r.ipv6PD.prefixLength)] += 1 }
        containment.lengths = (0...128).filter { containment.counts[$0] > 0 }.map(UInt8.init)
        for length in containment.lengths { buildCounts(length: length, skipping: -1) }
    }

    /// Adds entry `i` (already in ``reservations``) to the containment counts. Every other entry
    /// is already counted.
    mutating func indexContainment(_ r: Reservation, at i: Int) {
        let l = r.ipv6PD.prefixLength
        containment.counts[Int(l)] += 1
        if containment.counts[Int(l)] == 1 {
            containment.lengths = (0...128).filter { containment.counts[$0] > 0 }.map(UInt8.init)
            buildCounts(length: l, skipping: i)
        }
        for length in containment.lengths { count(r, length: length, by: 1) }
    }

    /// Removes entry `r` from the containment counts.
    mutating func unindexContainment(_ r: Reservation, at i: Int) {
        for length in containment.lengths { count(r, length: length, by: -1) }
        let l = r.ipv6PD.prefixLength
        containment.counts[Int(l)] -= 1
        if containment.counts[Int(l)] == 0 {
            containment.inside[l] = nil
            containment.lengths.removeAll { $0 == l }
        }
    }

    private mutating func count(_ r: Reservation, length: UInt8, by delta: Int) {
        let a = r.ipv6NA.masked(to: Int(length))
        containment.inside[length]!.addresses[a, default: 0] += delta
        if containment.inside[length]!.addresses[a] == 0 { containment.inside[length]!.addresses[a] = nil }
        let p = r.ipv6PD.masked
        guard p.prefixLength > length else { return }
        let m = p.address.masked(to: Int(length))
        containment.inside[length]!.prefixes[m, default: 0] += delta
        if containment.inside[length]!.prefixes[m] == 0 { containment.inside[length]!.prefixes[m] = nil }
    }

    /// The counts of a length that just came into use, over every entry but `skipping` (the one
    /// being added, which the caller counts with the other lengths).
    private mutating func buildCounts(length: UInt8, skipping: Int) {
        containment.inside[length] = ([:], [:])
        for j in reservations.indices where j != skipping { count(reservations[j], length: length, by: 1) }
    }
}
