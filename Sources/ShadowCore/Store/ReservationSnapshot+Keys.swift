/// Finding a reservation by any one of its keys or addresses, for the management commands
/// (`reservation-get`); not for the packet path.
extension ReservationSnapshot {
    /// The entry `key` names. Keys use the hash tables; addresses have no table and are found by
    /// a scan of the records (about 1 ms per 100,000 reservations, see docs/management.md).
    public func index(of key: ReservationKey) -> Int? {
        switch key {
        case .mac(let m): return index(mac: m)
        case .duid(let d): return index(duid: d)
        case .option82(let o): return index(option82: o)
        case .option1837(let o): return index(option1837: o)
        case .ipv4(let a):
            return scan { i in u32Field(i, SnapshotLayout.Record.ipv4) == a.value }
        case .ipv6NA(let a):
            return scan { i in
                u64Field(i, SnapshotLayout.Record.naHigh) == a.high && u64Field(i, SnapshotLayout.Record.naLow) == a.low
            }
        case .ipv6PD(let p):
            let m = p.masked
            return scan { i in
                u64Field(i, SnapshotLayout.Record.pdHigh) == m.address.high
                    && u64Field(i, SnapshotLayout.Record.pdLow) == m.address.low
                    && record(i).load(fromByteOffset: SnapshotLayout.Record.pdLength, as: UInt8.self) == m.prefixLength
            }
        }
    }

    private func scan(_ matches: (Int) -> Bool) -> Int? {
        for i in 0..<count where matches(i) { return i }
        return nil
    }

    @inline(__always) private func u64Field(_ i: Int, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: record(i).loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always) private func u32Field(_ i: Int, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: record(i).loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}
