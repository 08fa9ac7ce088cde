/// The duplicate search of a reload that took most entries from the memo.
///
/// Entries taken from the memo — each a different entry of a set that passed the duplicate
/// search — have no key or address in common with one another. Only an entry that was parsed
/// can repeat one: its keys are put in a small table and a bit filter, and every other entry's
/// keys are tested against the filter (and the table when the filter says maybe). When nothing
/// is found the set has no duplicates; when anything is, the full search
/// (``reportDuplicates(work:)``) runs and reports exactly as it always does.
extension ReservationParser {
    /// Whether an entry at one of `parsed` (ascending positions) may have a key or address that
    /// another entry has too; false means it certainly has not. The seven fields are searched as
    /// seven jobs on `work`.
    func parsedEntriesMayRepeatAKey(_ parsed: [Int], work: ParallelWork) -> Bool {
        guard !parsed.isEmpty else { return false }
        var isParsed = [UInt64](repeating: 0, count: (reservations.count + 63) / 64)
        for p in parsed { isParsed[p >> 6] |= 1 << UInt64(p & 63) }
        let fields: [ReservationField] = [.mac, .duid, .option82, .option1837, .ipv4, .ipv6NA, .ipv6PD]
        let answers = JobResults(count: fields.count, initial: false)
        reservations.withUnsafeBufferPointer { buffer in
            let entries = SharedEntries(buffer), marks = isParsed
            work.run(fields.count) { job in
                answers[job] = Self.mayRepeat(fields[job], in: entries.entries, parsed: parsed, isParsed: marks)
            }
        }
        return fields.indices.contains { answers[$0] }
    }

    /// One field: the keys of `parsed` in a table (a repeat among them is an answer) and a filter
    /// of 2^20 bits; the others' keys tested against both. The hashes are the duplicate search's.
    private static func mayRepeat(_ field: ReservationField, in rs: UnsafeBufferPointer<Reservation>,
                                  parsed: [Int], isParsed: [UInt64]) -> Bool {
        let mix = KeyHash.mix
        func search<K: Hashable>(_ key: (Int) -> K?, _ hash: (K) -> UInt64) -> Bool {
            let filterBits = 20
            var filter = [UInt64](repeating: 0, count: 1 << (filterBits - 6))
            var own = Set<K>()
            for p in parsed {
                guard let k = key(p) else { continue }
                if !own.insert(k).inserted { return true }
                let b = Int(hash(k) >> UInt64(64 - filterBits))
                filter[b >> 6] |= 1 << UInt64(b & 63)
            }
            guard !own.isEmpty else { return false }
            for i in 0..<rs.count where isParsed[i >> 6] & (1 << UInt64(i & 63)) == 0 {
                guard let k = key(i) else { continue }
                let b = Int(hash(k) >> UInt64(64 - filterBits))
                if filter[b >> 6] & (1 << UInt64(b & 63)) != 0, own.contains(k) { return true }
            }
            return false
        }
        switch field {
        case .mac: return search({ rs[$0].mac }, { KeyHash.mac($0.value) })
        case .duid: return search({ rs[$0].duid }, { $0.bytes.withUnsafeBytes(KeyHash.duid) })
        case .option82: return search({ rs[$0].option82 }, KeyHash.option82)
        case .option1837: return search({ rs[$0].option1837 }, KeyHash.option1837)
        case .ipv4: return search({ rs[$0].ipv4 }, { mix(UInt64($0.value)) })
        case .ipv6NA: return search({ rs[$0].ipv6NA }, { mix($0.high ^ mix($0.low)) })
        case .ipv6PD:
            return search({ rs[$0].ipv6PD }, { mix($0.address.high ^ mix($0.address.low ^ UInt64($0.prefixLength))) })
        default: preconditionFailure("no duplicate search for \(field)")
        }
    }
}
