/// The loader's IPv6 containment rules (``ReservationParser/reportOverlaps()``) for a set that
/// changes one entry at a time: no `ipv6_na` inside any entry's `ipv6_pd`, no `ipv6_pd` inside
/// another's. Without them a change could write a `reservations.json` the next load refuses.
///
/// "Is X inside a prefix of length L?" is one probe of the store's exact `ipv6_pd` index with X
/// masked to L, for each length in use (usually one or two). The other direction — "does this
/// new prefix contain an existing address or longer prefix?" — uses, per length in use, two
/// multiset indexes of every entry's address and prefix masked to that length.
struct PrefixContainment: Sendable {
    /// Delegated prefixes per length.
    fileprivate var counts = [Int](repeating: 0, count: 129)
    /// Lengths with at least one prefix, ascending.
    fileprivate var lengths: [UInt8] = []
    /// Per length in use: addresses and (as long or longer) prefixes masked to it.
    fileprivate var masked: [UInt8: (addresses: StoreIndex, prefixes: StoreIndex)] = [:]

    init() {}

    fileprivate static func hash(_ a: IPv6Address, _ length: UInt8) -> UInt64 {
        let n = IPv6Prefix(address: a, prefixLength: length).network
        return KeyHash.mix(n.high ^ KeyHash.mix(n.low ^ UInt64(length)))
    }
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
        if pd.prefixLength < 128, IPv6Prefix(address: r.ipv6NA, prefixLength: pd.prefixLength).network == pd.address {
            fail(.ipv6NA, "\(r.ipv6NA) is inside \(pd), this entry's own ipv6_pd")
        }
        for l in containment.lengths {
            let around = IPv6Prefix(address: r.ipv6NA, prefixLength: l).network
            if let j = position(of: .ipv6PD(IPv6Prefix(address: around, prefixLength: l))) {
                fail(.ipv6NA, "\(r.ipv6NA) is inside \(reservations[j].ipv6PD.masked), the ipv6_pd of \(describe(j))")
            }
            if l < pd.prefixLength {
                let outer = IPv6Prefix(address: pd.address, prefixLength: l).network
                if let j = position(of: .ipv6PD(IPv6Prefix(address: outer, prefixLength: l))) {
                    fail(.ipv6PD, "\(pd) is inside \(reservations[j].ipv6PD.masked), the ipv6_pd of \(describe(j))")
                }
            }
        }
        // Existing addresses and longer prefixes inside the new prefix.
        let l = pd.prefixLength
        let insideAddress: (Int) -> Bool = {
            IPv6Prefix(address: self.reservations[$0].ipv6NA, prefixLength: l).network == pd.address
        }
        let insidePrefix: (Int) -> Bool = {
            let q = self.reservations[$0].ipv6PD.masked
            return q.prefixLength > l && IPv6Prefix(address: q.address, prefixLength: l).network == pd.address
        }
        var address: Int?
        var prefix: Int?
        if let m = containment.masked[l] {
            let h = PrefixContainment.hash(pd.address, l)
            address = m.addresses.find(hash: h, matches: insideAddress)
            prefix = m.prefixes.find(hash: h, matches: insidePrefix)
        } else {
            // A length no entry uses yet: one pass (it then gets its indexes when `r` is added).
            address = reservations.indices.first(where: insideAddress)
            prefix = reservations.indices.first(where: insidePrefix)
        }
        if let j = address {
            fail(.ipv6PD, "\(pd) contains \(reservations[j].ipv6NA), the ipv6_na of \(describe(j))")
        }
        if let j = prefix {
            fail(.ipv6PD, "\(pd) contains \(reservations[j].ipv6PD.masked), the ipv6_pd of \(describe(j))")
        }
        return n
    }

    /// The containment indexes of the whole set, at start.
    mutating func buildContainment() {
        for r in reservations { containment.counts[Int(r.ipv6PD.prefixLength)] += 1 }
        containment.lengths = (0...128).filter { containment.counts[$0] > 0 }.map(UInt8.init)
        for length in containment.lengths { buildMasked(length: length, skipping: -1) }
    }

    /// Adds entry `i` (already in ``reservations``, its keys indexed) to the containment indexes.
    /// Every other entry is already in them.
    mutating func indexContainment(_ r: Reservation, at i: Int) {
        let l = r.ipv6PD.prefixLength
        containment.counts[Int(l)] += 1
        if containment.counts[Int(l)] == 1 {
            containment.lengths = (0...128).filter { containment.counts[$0] > 0 }.map(UInt8.init)
            buildMasked(length: l, skipping: i)
        }
        for length in containment.lengths { insertMasked(r, at: i, length: length) }
    }

    /// Removes entry `i` (still in ``reservations``) from the containment indexes.
    mutating func unindexContainment(_ r: Reservation, at i: Int) {
        for length in containment.lengths {
            containment.masked[length]!.addresses.remove(hash: PrefixContainment.hash(r.ipv6NA, length), position: i)
            if r.ipv6PD.prefixLength >= length {
                containment.masked[length]!.prefixes.remove(hash: PrefixContainment.hash(r.ipv6PD.address, length), position: i)
            }
        }
        let l = r.ipv6PD.prefixLength
        containment.counts[Int(l)] -= 1
        if containment.counts[Int(l)] == 0 {
            containment.masked[l] = nil
            containment.lengths.removeAll { $0 == l }
        }
    }

    /// Entry `r` moved from position `from` to `to`.
    mutating func moveContainment(_ r: Reservation, from: Int, to: Int) {
        for length in containment.lengths {
            containment.masked[length]!.addresses.move(hash: PrefixContainment.hash(r.ipv6NA, length), from: from, to: to)
            if r.ipv6PD.prefixLength >= length {
                containment.masked[length]!.prefixes.move(hash: PrefixContainment.hash(r.ipv6PD.address, length),
                                                          from: from, to: to)
            }
        }
    }

    private mutating func insertMasked(_ r: Reservation, at i: Int, length: UInt8) {
        containment.masked[length]!.addresses.insert(hash: PrefixContainment.hash(r.ipv6NA, length), position: i)
        if r.ipv6PD.prefixLength >= length {
            containment.masked[length]!.prefixes.insert(hash: PrefixContainment.hash(r.ipv6PD.address, length), position: i)
        }
    }

    /// The indexes of a length that just came into use, over every entry but `skipping` (the one
    /// being added, which the caller inserts with the other lengths).
    private mutating func buildMasked(length: UInt8, skipping: Int) {
        containment.masked[length] = (StoreIndex(expected: reservations.count), StoreIndex(expected: reservations.count))
        for j in reservations.indices where j != skipping { insertMasked(reservations[j], at: j, length: length) }
    }
}
