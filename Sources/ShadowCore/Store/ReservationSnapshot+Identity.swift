/// Which reservations two snapshots have in common, record for record: what a worker needs to
/// carry per-reservation state (the last-served times, docs/operations.md) over a reload. Off the
/// packet path: it runs once per snapshot, on the thread that checks the new one.
extension ReservationSnapshot {
    /// Whether reservation `i` of this snapshot and reservation `j` of `other` are the same entry:
    /// the same addresses (`ipv4`, `ipv6_na`, `ipv6_pd`) and the same keys (MAC, DUID, Option 82,
    /// Option 18/37, field by field). Options and lease times are not compared: a reservation
    /// whose options changed keeps its last-served time. Compares the records' bytes in place;
    /// allocates nothing.
    public func isSame(_ i: Int, as other: ReservationSnapshot, at j: Int) -> Bool {
        typealias R = SnapshotLayout.Record
        let a = record(i), b = other.record(j)
        // ipv4, flags, prefix length and the zero byte; then MAC, ipv6_na and ipv6_pd.
        guard a.loadUnaligned(as: UInt64.self) == b.loadUnaligned(as: UInt64.self) else { return false }
        var offset = R.mac
        while offset < R.optionsV4 {
            guard a.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    == b.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
            offset += 8
        }
        return memoryEqual(keyText(i), other.keyText(j))
    }

    /// Record `i`'s variable-length keys as stored (DUID, Option 82, Option 18/37 fields).
    private func keyText(_ i: Int) -> UnsafeRawBufferPointer {
        let r = record(i)
        let offset = UInt32(littleEndian: r.loadUnaligned(fromByteOffset: SnapshotLayout.Record.blobOffset, as: UInt32.self))
        let length = UInt32(littleEndian: r.loadUnaligned(fromByteOffset: SnapshotLayout.Record.blobLength, as: UInt32.self))
        return UnsafeRawBufferPointer(start: blob + Int(offset), count: Int(length))
    }

    /// For every reservation of this snapshot, the index of the same reservation (``isSame(_:as:at:)``)
    /// in `previous`, or −1 when `previous` has no such entry (new, or changed in a key or an
    /// address). An entry at the same position is compared first (a reload of an unchanged or
    /// appended file costs one comparison per entry); otherwise `previous` is searched by the
    /// entry's first key (MAC, DUID, Option 82, Option 18/37: keys are unique, so that is the only
    /// candidate), through its hash table.
    public func sameIndexes(in previous: ReservationSnapshot) -> [Int32] {
        var out = [Int32](repeating: -1, count: count)
        // A worker's first snapshot replaces the empty one: nothing to search (hashing every key
        // of 1,000,000 for nothing delayed the first answer).
        guard previous.count > 0 else { return out }
        for i in 0..<count {
            if i < previous.count && isSame(i, as: previous, at: i) {
                out[i] = Int32(i)
            } else if let j = previous.index(sameKeyAs: i, in: self), isSame(i, as: previous, at: j) {
                out[i] = Int32(j)
            }
        }
        return out
    }

    /// The entry of this snapshot holding record `i` of `other`'s first key, if any.
    private func index(sameKeyAs i: Int, in other: ReservationSnapshot) -> Int? {
        typealias P = SnapshotLayout.Presence
        let f = other.flags(i)
        let table: SnapshotLayout.Table
        if f & P.mac != 0 { table = .mac }
        else if f & P.duid != 0 { table = .duid }
        else if f & P.option82 != 0 { table = .option82 }
        else if f & P.option1837 != 0 { table = .option1837 }
        else { return nil }
        let key = ReservationSnapshot.keyBytes(table, i, other.records, other.blob)
        let hash = ReservationSnapshot.storedHash(table, key)
        return probe(table, hash: hash) { j in
            let mine = ReservationSnapshot.keyBytes(table, j, records, blob)
            return mine.presence == key.presence && memoryEqual(mine.bytes, key.bytes)
        }
    }
}
