/// Cross-entry checks: the same key or address in two entries.
extension ReservationParser {
    /// The same key or address in two entries: an error on the later one naming the first.
    mutating func reportDuplicates() {
        let bad = unusable
        func usable(_ i: Int, _ f: ReservationField) -> Bool { bad.isEmpty || !(bad[Int32(i)]?.contains(f) ?? false) }
        // The keys hash as the snapshot's tables hash them (KeyHash); addresses through its mixer.
        let mix = KeyHash.mix
        let all = reservations
        all.withUnsafeBufferPointer { rs in
            duplicates(.mac, { rs[$0].mac }, { KeyHash.mac($0.value) }, { $0.description })
            duplicates(.duid, { rs[$0].duid }, { $0.bytes.withUnsafeBytes(KeyHash.duid) }, { $0.description })
            duplicates(.option82, { rs[$0].option82 }, KeyHash.option82, ReservationPersistence.compactJSON)
            duplicates(.option1837, { rs[$0].option1837 }, KeyHash.option1837, ReservationPersistence.compactJSON)
            duplicates(.ipv4, { usable($0, .ipv4) ? rs[$0].ipv4 : nil }, { mix(UInt64($0.value)) }, { $0.description })
            duplicates(.ipv6NA, { usable($0, .ipv6NA) ? rs[$0].ipv6NA : nil }, { mix($0.high ^ mix($0.low)) },
                       { $0.description })
            duplicates(.ipv6PD, { usable($0, .ipv6PD) ? rs[$0].ipv6PD : nil },
                       { mix($0.address.high ^ mix($0.address.low ^ UInt64($0.prefixLength))) }, { $0.description })
        }
    }

    private mutating func duplicates<K: Equatable>(_ field: ReservationField, _ key: (Int) -> K?,
                                                   _ hash: (K) -> UInt64, _ show: (K) -> String) {
        var found: [(Int, Int)] = []
        DuplicateFinder.find(count: reservations.count, key: key, hash: hash) { found.append(($0, $1)) }
        for (later, first) in found {
            guard let k = key(later) else { continue }
            error(later, field, "\(show(k)) already used by \(location(first))")
        }
    }
}
