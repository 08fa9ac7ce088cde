/// Which relay identifier (RFC 6925, Option 82 sub-option 12) each reservation's last ACK came
/// through, for bulk leasequery by relay identifier (docs/leasequery.md). Kept by the v4 worker
/// only with `leasequery.bulk`, written on an ACK (one array store once the identifier is known),
/// indexed like the snapshot and carried over a snapshot swap like the last-served times.
public final class RelayIDTable {
    /// Per reservation: 1 + the position of its relay identifier in `values`, 0 for none.
    private var ids: [UInt32]
    private var interned: [[UInt8]: UInt32] = [:]
    private var values: [[UInt8]] = []

    public init(count: Int) { ids = Array(repeating: 0, count: count) }

    /// Records that reservation `index` was last served through `relayID`.
    public func record(_ index: Int, relayID: UnsafeRawBufferPointer) {
        guard index < ids.count else { return }
        let key = Array(relayID)
        if let id = interned[key] {
            ids[index] = id
            return
        }
        values.append(key)
        let id = UInt32(values.count)
        interned[key] = id
        ids[index] = id
    }

    /// Records that reservation `index` was last served through no relay identifier.
    public func clear(_ index: Int) {
        if index < ids.count { ids[index] = 0 }
    }

    /// The reservations last served through `relayID`, in index order.
    public func reservations(relayID: [UInt8]) -> [Int] {
        guard let id = interned[relayID] else { return [] }
        var out: [Int] = []
        for (i, v) in ids.enumerated() where v == id { out.append(i) }
        return out
    }

    /// The table for a new snapshot: each reservation's identifier carried over when the previous
    /// snapshot had the very same entry (``ReservationSnapshot/sameIndexes(in:)``), none otherwise.
    public func carried(over sameIndexes: [Int32]) -> RelayIDTable {
        let next = RelayIDTable(count: sameIndexes.count)
        next.interned = interned
        next.values = values
        for (i, j) in sameIndexes.enumerated() where j >= 0 && Int(j) < ids.count { next.ids[i] = ids[Int(j)] }
        return next
    }
}
