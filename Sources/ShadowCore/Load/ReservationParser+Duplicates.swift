/// Cross-entry checks: the same key or address in two entries.
extension ReservationParser {
    /// The same key or address in two entries: an error on the later one naming the first.
    ///
    /// The seven searches are independent and read the entries only, so they run as seven jobs
    /// on `work`; their findings become errors afterwards, field by field in a fixed order, so
    /// the messages do not depend on the threads.
    mutating func reportDuplicates(work: ParallelWork = .serial) {
        let bad = unusable
        let fields: [ReservationField] = [.mac, .duid, .option82, .option1837, .ipv4, .ipv6NA, .ipv6PD]
        let found = JobResults<[(Int, Int)]>(count: fields.count, initial: [])
        reservations.withUnsafeBufferPointer { buffer in
            let entries = SharedEntries(buffer)
            work.run(fields.count) { job in
                found[job] = Self.duplicatePairs(fields[job], in: entries.entries, unusable: bad)
            }
        }
        for (job, field) in fields.enumerated() {
            for (later, first) in found[job] {
                error(later, field, "\(Self.show(field, of: reservations[later])) already used by \(location(first))")
            }
        }
    }

    /// Every (later, first) pair of entries with an equal `field`, in ascending order of `later`.
    /// The keys hash as the snapshot's tables hash them (KeyHash); addresses through its mixer.
    private static func duplicatePairs(_ field: ReservationField, in rs: UnsafeBufferPointer<Reservation>,
                                       unusable bad: [Int32: FieldSet]) -> [(Int, Int)] {
        func usable(_ i: Int, _ f: ReservationField) -> Bool { bad.isEmpty || !(bad[Int32(i)]?.contains(f) ?? false) }
        let mix = KeyHash.mix
        var pairs: [(Int, Int)] = []
        func find<K: Equatable>(_ key: (Int) -> K?, _ hash: (K) -> UInt64) {
            DuplicateFinder.find(count: rs.count, key: key, hash: hash) { pairs.append(($0, $1)) }
        }
        switch field {
        case .mac: find({ rs[$0].mac }, { KeyHash.mac($0.value) })
        case .duid: find({ rs[$0].duid }, { $0.bytes.withUnsafeBytes(KeyHash.duid) })
        case .option82: find({ rs[$0].option82 }, KeyHash.option82)
        case .option1837: find({ rs[$0].option1837 }, KeyHash.option1837)
        case .ipv4: find({ usable($0, .ipv4) ? rs[$0].ipv4 : nil }, { mix(UInt64($0.value)) })
        case .ipv6NA: find({ usable($0, .ipv6NA) ? rs[$0].ipv6NA : nil }, { mix($0.high ^ mix($0.low)) })
        case .ipv6PD:
            find({ usable($0, .ipv6PD) ? rs[$0].ipv6PD : nil },
                 { mix($0.address.high ^ mix($0.address.low ^ UInt64($0.prefixLength))) })
        default: preconditionFailure("no duplicate search for \(field)")
        }
        return pairs
    }

    /// How a message shows the repeated value of `field`.
    private static func show(_ field: ReservationField, of r: Reservation) -> String {
        switch field {
        case .mac: r.mac?.description ?? ""
        case .duid: r.duid?.description ?? ""
        case .option82: r.option82.map(ReservationPersistence.compactJSON) ?? ""
        case .option1837: r.option1837.map(ReservationPersistence.compactJSON) ?? ""
        case .ipv4: r.ipv4.description
        case .ipv6NA: r.ipv6NA.description
        case .ipv6PD: r.ipv6PD.description
        default: ""
        }
    }
}

/// The entries, read by several jobs while the caller keeps the buffer alive and nobody writes.
struct SharedEntries: @unchecked Sendable {
    let entries: UnsafeBufferPointer<Reservation>
    init(_ entries: UnsafeBufferPointer<Reservation>) { self.entries = entries }
}
