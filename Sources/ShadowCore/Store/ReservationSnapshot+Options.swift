extension ReservationSnapshot {
    /// The reservation's own `options_v4` level (``DHCPOptionSet/empty`` when it sets none): an
    /// element of the sets decoded once when the snapshot was opened, so no allocation per call.
    public func optionsV4(at index: Int) -> DHCPOptionSet {
        optionSetsV4[Int(UInt32(littleEndian: record(index).loadUnaligned(
            fromByteOffset: SnapshotLayout.Record.optionsV4, as: UInt32.self)))]
    }

    /// The reservation's own `options_v6` level (``DHCPOptionSet/empty`` when it sets none).
    public func optionsV6(at index: Int) -> DHCPOptionSet {
        optionSetsV6[Int(UInt32(littleEndian: record(index).loadUnaligned(
            fromByteOffset: SnapshotLayout.Record.optionsV6, as: UInt32.self)))]
    }

    /// How many distinct non-empty option sets the snapshot holds (v4 and v6), for `--check`.
    public var distinctOptionSets: (v4: Int, v6: Int) { (optionSetsV4.count - 1, optionSetsV6.count - 1) }
}
