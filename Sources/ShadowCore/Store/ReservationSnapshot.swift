/// An immutable, indexed set of reservations: built once per load, then shared read-only.
///
/// Every lookup is a hash probe, so its cost does not depend on how many subscribers are loaded.
/// Keys are unique (validation rejects duplicates before a snapshot is built).
public final class ReservationSnapshot: Sendable {
    public let reservations: [Reservation]
    /// Increases by one with every successful load or reload.
    public let generation: UInt64

    let byMAC: [MACAddress: Int32]
    let byDUID: [DUID: Int32]
    let byOption82: [Option82: Int32]
    let byOption1837: [Option1837: Int32]

    /// Indexes `reservations`. A key that occurs twice keeps the later entry (validated input
    /// never has duplicates; this only fixes the behaviour for unvalidated callers).
    ///
    /// Two passes over the array's storage: count each kind of key, then fill dictionaries sized
    /// for that count (no rehash while filling). Fields are read in place through the buffer
    /// pointer, never by copying a whole `Reservation`.
    public init(reservations: [Reservation], generation: UInt64 = 0) {
        self.reservations = reservations
        self.generation = generation
        (byMAC, byDUID, byOption82, byOption1837) = reservations.withUnsafeBufferPointer { all in
            var counts = (mac: 0, duid: 0, o82: 0, o1837: 0)
            for i in all.indices {
                if all[i].mac != nil { counts.mac += 1 }
                if all[i].duid != nil { counts.duid += 1 }
                if all[i].option82 != nil { counts.o82 += 1 }
                if all[i].option1837 != nil { counts.o1837 += 1 }
            }
            var mac = [MACAddress: Int32](minimumCapacity: counts.mac)
            var duid = [DUID: Int32](minimumCapacity: counts.duid)
            var o82 = [Option82: Int32](minimumCapacity: counts.o82)
            var o1837 = [Option1837: Int32](minimumCapacity: counts.o1837)
            for i in all.indices {
                let index = Int32(i)
                if let k = all[i].mac { mac[k] = index }
                if let k = all[i].duid { duid[k] = index }
                if let k = all[i].option82 { o82[k] = index }
                if let k = all[i].option1837 { o1837[k] = index }
            }
            return (mac, duid, o82, o1837)
        }
    }

    public static let empty = ReservationSnapshot(reservations: [])

    public var count: Int { reservations.count }

    /// Number of index entries (keys), the figure upstream's `status` reports.
    public var keyCount: Int { byMAC.count + byDUID.count + byOption82.count + byOption1837.count }

    /// Keys per kind, for summaries and metrics.
    public var keyCounts: (mac: Int, duid: Int, option82: Int, option1837: Int) {
        (byMAC.count, byDUID.count, byOption82.count, byOption1837.count)
    }

    public subscript(index: Int) -> Reservation { reservations[index] }

    public func index(mac: MACAddress) -> Int? { byMAC[mac].map(Int.init) }
    public func index(duid: DUID) -> Int? { byDUID[duid].map(Int.init) }
    public func index(option82: Option82) -> Int? { byOption82[option82].map(Int.init) }
    public func index(option1837: Option1837) -> Int? { byOption1837[option1837].map(Int.init) }

    /// The DHCPv4 lookup order (behavior.md §4.6): chaddr MAC, then each Option 82 extractor in
    /// configured order; the first candidate present in the index wins.
    public func lookupV4(mac: MACAddress?, option82: Option82?,
                         extractors: [Option82Extractor]) -> ReservationMatch? {
        if let mac, let i = byMAC[mac] {
            return ReservationMatch(index: Int(i), method: .mac, extractor: "chaddr")
        }
        guard let option82 else { return nil }
        for e in extractors {
            if let key = e.extract(option82), let i = byOption82[key] {
                return ReservationMatch(index: Int(i), method: .option82, extractor: e.name)
            }
        }
        return nil
    }

    /// The DHCPv6 lookup order (behavior.md §5.8): DUID; Option 18/37 extractors; then for each MAC
    /// extractor in turn the reservation with that MAC, else the learned MAC→Option 82 binding
    /// (`lease_fallback`).
    public func lookupV6(clientID: DUID?, option1837: Option1837?,
                         option1837Extractors: [Option1837Extractor],
                         macInput: MACExtractionInput, macExtractors: [MACExtractor],
                         bindings: BindingTable) -> ReservationMatch? {
        if let clientID, let i = byDUID[clientID] {
            return ReservationMatch(index: Int(i), method: .duid, extractor: nil)
        }
        if let option1837 {
            for e in option1837Extractors {
                if let key = e.extract(option1837), let i = byOption1837[key] {
                    return ReservationMatch(index: Int(i), method: .option1837, extractor: e.name)
                }
            }
        }
        for e in macExtractors {
            guard let mac = e.extract(macInput) else { continue }
            if let i = byMAC[mac] {
                return ReservationMatch(index: Int(i), method: .mac, extractor: e.name)
            }
            if let o82 = bindings.option82(for: mac), let i = byOption82[o82] {
                return ReservationMatch(index: Int(i), method: .option82, extractor: "lease_fallback")
            }
        }
        return nil
    }
}
