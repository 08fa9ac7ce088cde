/// An immutable, indexed set of reservations, kept as one flat image (``SnapshotLayout``) and
/// read in place: the master writes it once into a sealed memory file and each worker maps that
/// file and answers from it, with no decoding, no objects per reservation and no copy.
///
/// Every lookup is a probe into an open-addressing table, so its cost does not depend on how many
/// subscribers are loaded. Keys are unique (validation rejects duplicates before a snapshot is
/// built; for unvalidated input the later entry wins).
public final class ReservationSnapshot: @unchecked Sendable {
    // @unchecked: the image is never written after construction, and `owner` keeps it alive.

    /// Increases by one with every successful load or reload.
    public let generation: UInt64
    /// Number of reservations.
    public let count: Int
    /// The whole image.
    public let bytes: UnsafeRawBufferPointer

    private let owner: AnyObject?
    let records: UnsafeRawPointer
    let blob: UnsafeRawPointer
    let tables: [SlotTable]
    /// Keys in each table, in ``SnapshotLayout/Table`` order.
    private let keys: [Int]
    /// The distinct `options_v4` / `options_v6` sets, decoded once when the image is opened (set 0
    /// is empty); each record holds an index into each.
    let optionSetsV4: [DHCPOptionSet]
    let optionSetsV6: [DHCPOptionSet]

    struct SlotTable {
        let slots: UnsafeRawPointer
        /// Capacity − 1; −1 when the table is empty.
        let mask: Int
    }

    /// Lays `reservations` out in memory this snapshot owns.
    ///
    /// Validated reservations always fit; a field beyond the format's limits (a DUID over 65,535
    /// bytes, more than 4 GiB of key text) stops the process, as the loaders never produce one.
    public convenience init(reservations: [Reservation], generation: UInt64 = 0) {
        let size: Int
        do { size = try ReservationSnapshot.encodedByteCount(of: reservations) } catch {
            preconditionFailure("\(error)")
        }
        let storage = HeapImage(byteCount: size)
        ReservationSnapshot.encode(reservations, into: storage.buffer)
        do {
            try self.init(validating: UnsafeRawBufferPointer(storage.buffer), owner: storage, generation: generation)
        } catch {
            preconditionFailure("a freshly encoded snapshot is invalid: \(error)")
        }
    }

    /// Uses `bytes` in place after checking the whole structure: header, every record, and every
    /// table slot (its record exists, has that key, and the slot's tag is that key's hash), so no
    /// later lookup can read outside `bytes` or loop. `owner` keeps the memory alive (for example
    /// the read-only mapping of a sealed memory file); `bytes` must not change while it lives.
    public convenience init(validating bytes: UnsafeRawBufferPointer, owner: AnyObject?, generation: UInt64)
        throws(SnapshotFormatError) {
        try self.init(bytes, owner: owner, generation: generation, checkingEveryRecord: true)
    }

    /// Uses `bytes` in place, checking the header, the sizes and the option sets but not each
    /// record and table slot: for an image this process has just encoded from validated
    /// reservations (``encode(_:plan:into:work:)``) into memory nobody else can write — the
    /// master's own view of the snapshot it publishes. Every worker still opens the same bytes
    /// with ``init(validating:owner:generation:)``.
    public convenience init(encodedHere bytes: UnsafeRawBufferPointer, owner: AnyObject?, generation: UInt64)
        throws(SnapshotFormatError) {
        try self.init(bytes, owner: owner, generation: generation, checkingEveryRecord: false)
    }

    private init(_ bytes: UnsafeRawBufferPointer, owner: AnyObject?, generation: UInt64, checkingEveryRecord: Bool)
        throws(SnapshotFormatError) {
        typealias L = SnapshotLayout
        guard bytes.count >= L.headerSize, let base = bytes.baseAddress else {
            throw .sizeMismatch(expected: L.headerSize, actual: bytes.count)
        }
        func u32(_ offset: Int) -> Int { Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) }
        guard UInt64(littleEndian: base.loadUnaligned(fromByteOffset: L.Header.magic, as: UInt64.self)) == L.magic else {
            throw .badMagic
        }
        let version = UInt32(u32(L.Header.version))
        guard version == L.version else { throw .unsupportedVersion(version) }
        let count = u32(L.Header.count)
        let blobSize64 = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: L.Header.blobSize, as: UInt64.self))
        guard blobSize64 <= UInt64(bytes.count) else { throw .invalidHeader(field: "blob size") }
        let blobSize = Int(blobSize64)
        var capacities: [Int] = []
        var keys: [Int] = []
        for t in L.Table.allCases {
            let capacity = u32(L.Header.capacities + 4 * t.rawValue)
            let n = u32(L.Header.keys + 4 * t.rawValue)
            guard capacity == 0 || (capacity & (capacity - 1) == 0 && capacity <= 1 << 31) else {
                throw .invalidHeader(field: "\(t.name) capacity")
            }
            guard (capacity == 0 && n == 0) || n < capacity else { throw .invalidHeader(field: "\(t.name) key count") }
            capacities.append(capacity)
            keys.append(n)
        }
        let optionsSize64 = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: L.Header.optionsSize, as: UInt64.self))
        guard optionsSize64 <= UInt64(bytes.count) else { throw .invalidHeader(field: "option-set size") }
        let optionsSize = Int(optionsSize64)
        let recordsEnd = L.headerSize + count * L.recordSize
        let optionsStart = L.align8(recordsEnd + blobSize)
        let tablesStart = L.align8(optionsStart + optionsSize)
        let expected = tablesStart + capacities.reduce(0, +) * L.slotSize
        guard expected == bytes.count else { throw .sizeMismatch(expected: expected, actual: bytes.count) }
        (optionSetsV4, optionSetsV6) = try OptionTable.read(base + optionsStart, count: optionsSize, at: optionsStart)

        self.generation = generation
        self.count = count
        self.bytes = bytes
        self.owner = owner
        records = base + L.headerSize
        blob = base + recordsEnd
        var tables: [SlotTable] = []
        var offset = tablesStart
        for capacity in capacities {
            tables.append(SlotTable(slots: base + offset, mask: capacity - 1))
            offset += capacity * L.slotSize
        }
        self.tables = tables
        self.keys = keys
        guard checkingEveryRecord else { return }
        // Each record's key kinds (its presence flags' low byte), kept while the records are read
        // in order, so that the table check looks them up in 1 byte per record rather than in the
        // records themselves, a cache miss per slot.
        var kinds = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            try checkRecord(i, blobSize: blobSize)
            kinds[i] = UInt8(truncatingIfNeeded: flags(i))
        }
        try kinds.withUnsafeBufferPointer { (kinds) throws(SnapshotFormatError) in
            for t in L.Table.allCases {
                try checkTable(t, capacity: capacities[t.rawValue], keys: keys[t.rawValue], kinds: kinds)
            }
        }
    }

    public static let empty = ReservationSnapshot(reservations: [])

    /// Number of index entries (keys), the figure upstream's `status` reports.
    public var keyCount: Int { keys.reduce(0, +) }

    /// Keys per kind, for summaries and metrics.
    public var keyCounts: (mac: Int, duid: Int, option82: Int, option1837: Int) { (keys[0], keys[1], keys[2], keys[3]) }

    // MARK: record fields

    @inline(__always) func record(_ i: Int) -> UnsafeRawPointer { records + i * SnapshotLayout.recordSize }

    @inline(__always) func flags(_ i: Int) -> UInt16 {
        UInt16(littleEndian: record(i).loadUnaligned(fromByteOffset: SnapshotLayout.Record.flags, as: UInt16.self))
    }

    @inline(__always) private func u64(_ i: Int, _ field: Int) -> UInt64 {
        UInt64(littleEndian: record(i).loadUnaligned(fromByteOffset: field, as: UInt64.self))
    }

    @inline(__always) private func u32(_ i: Int, _ field: Int) -> Int {
        Int(UInt32(littleEndian: record(i).loadUnaligned(fromByteOffset: field, as: UInt32.self)))
    }

    public func ipv4(at i: Int) -> IPv4Address {
        IPv4Address(UInt32(u32(i, SnapshotLayout.Record.ipv4)))
    }

    public func ipv6NA(at i: Int) -> IPv6Address {
        IPv6Address(high: u64(i, SnapshotLayout.Record.naHigh), low: u64(i, SnapshotLayout.Record.naLow))
    }

    public func ipv6PD(at i: Int) -> IPv6Prefix {
        IPv6Prefix(address: IPv6Address(high: u64(i, SnapshotLayout.Record.pdHigh), low: u64(i, SnapshotLayout.Record.pdLow)),
                   prefixLength: record(i).load(fromByteOffset: SnapshotLayout.Record.pdLength, as: UInt8.self))
    }

    public func mac(at i: Int) -> MACAddress? {
        flags(i) & SnapshotLayout.Presence.mac != 0 ? MACAddress(value: u64(i, SnapshotLayout.Record.mac)) : nil
    }

    /// The DUID's bytes in place (valid while the snapshot lives), nil without one.
    public func duidBytes(at i: Int) -> UnsafeRawBufferPointer? {
        flags(i) & SnapshotLayout.Presence.duid != 0 ? sections(i).duid : nil
    }

    public func duid(at i: Int) -> DUID? { duidBytes(at: i).map { DUID(bytes: Array($0)) } }

    public func option82(at i: Int) -> Option82? {
        let f = flags(i)
        guard f & SnapshotLayout.Presence.option82 != 0 else { return nil }
        var cursor = sections(i).option82
        typealias P = SnapshotLayout.Presence
        return Option82(circuit: f & P.o82Circuit != 0 ? cursor.string() : nil,
                        remote: f & P.o82Remote != 0 ? cursor.string() : nil,
                        subscriber: f & P.o82Subscriber != 0 ? cursor.string() : nil)
    }

    public func option1837(at i: Int) -> Option1837? {
        let f = flags(i)
        guard f & SnapshotLayout.Presence.option1837 != 0 else { return nil }
        var cursor = sections(i).option1837
        typealias P = SnapshotLayout.Presence
        return Option1837(interface: f & P.o1837Interface != 0 ? cursor.string() : nil,
                          remote: f & P.o1837Remote != 0 ? cursor.string() : nil,
                          enterpriseNumber: f & P.o1837Enterprise != 0 ? cursor.u32() : nil)
    }

    /// The whole reservation, made into values (allocates for the DUID and strings; for events,
    /// management and tests, not for the packet path).
    public subscript(index: Int) -> Reservation {
        var r = Reservation(ipv4: ipv4(at: index), ipv6NA: ipv6NA(at: index), ipv6PD: ipv6PD(at: index),
                            mac: mac(at: index), duid: duid(at: index), option82: option82(at: index),
                            option1837: option1837(at: index))
        r.optionsV4 = optionsV4(at: index)
        r.optionsV6 = optionsV6(at: index)
        return r
    }

    /// Every reservation, in file order (allocates; for tests and tools).
    public var allReservations: [Reservation] { (0..<count).map { self[$0] } }

    /// ``allReservations``, decoded in one range per thread of `work` (the master's check of a
    /// `replace` image: 1,000,000 entries take about 0.75 s on one thread).
    public func allReservations(work: ParallelWork) -> [Reservation] {
        let n = count, pieces = min(work.width, n / Self.entriesPerDecodeJob)
        guard pieces > 1 else { return allReservations }
        return [Reservation](unsafeUninitializedCapacity: n) { buffer, initialized in
            let target = MoveTarget(base: buffer.baseAddress!)
            work.run(pieces) { p in
                for i in n * p / pieces..<n * (p + 1) / pieces { (target.base + i).initialize(to: self[i]) }
            }
            initialized = n
        }
    }

    /// Below twice this many entries a decode stays on the caller's thread.
    static let entriesPerDecodeJob = 50_000

    // MARK: lookups

    public func index(mac: MACAddress) -> Int? {
        probe(.mac, hash: KeyHash.mac(mac.value)) { u64($0, SnapshotLayout.Record.mac) == mac.value }
    }

    /// The reservation whose DUID is exactly `bytes` (no DUID value needs to be made).
    public func index(duidBytes bytes: UnsafeRawBufferPointer) -> Int? {
        index(duidBytes: bytes, hash: SnapshotLayout.duidHash(bytes))
    }

    /// ``index(duidBytes:)`` with the bytes' ``SnapshotLayout/duidHash(_:)`` already computed (the
    /// DHCPv6 engine hashes the Client Identifier once per message and hands the hash on, to the
    /// lookup and to the worker's storm control).
    public func index(duidBytes bytes: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        probe(.duid, hash: hash) { i in
            let stored = sections(i).duid
            return stored.count == bytes.count && (bytes.isEmpty || memoryEqual(stored, bytes))
        }
    }

    public func index(duid: DUID) -> Int? { duid.bytes.withUnsafeBytes { index(duidBytes: $0) } }

    public func index(option82: Option82) -> Int? {
        probe(.option82, hash: KeyHash.option82(option82)) { i in
            typealias P = SnapshotLayout.Presence
            let f = flags(i)
            var cursor = sections(i).option82
            return cursor.matches(option82.circuit, present: f & P.o82Circuit != 0)
                && cursor.matches(option82.remote, present: f & P.o82Remote != 0)
                && cursor.matches(option82.subscriber, present: f & P.o82Subscriber != 0)
        }
    }

    public func index(option1837: Option1837) -> Int? {
        probe(.option1837, hash: KeyHash.option1837(option1837)) { i in
            typealias P = SnapshotLayout.Presence
            let f = flags(i)
            var cursor = sections(i).option1837
            guard cursor.matches(option1837.interface, present: f & P.o1837Interface != 0),
                  cursor.matches(option1837.remote, present: f & P.o1837Remote != 0) else { return false }
            let stored = f & P.o1837Enterprise != 0 ? cursor.u32() : nil
            return stored == option1837.enterpriseNumber
        }
    }

    /// Linear probing from the hash's home slot until an empty slot; a slot is compared with the
    /// key (by `matches`, reading its record) only when its tag equals the hash's upper half.
    @inline(__always)
    func probe(_ table: SnapshotLayout.Table, hash: UInt64, matches: (Int) -> Bool) -> Int? {
        let t = tables[table.rawValue]
        guard t.mask >= 0 else { return nil }
        let tag = UInt32(truncatingIfNeeded: hash >> 32)
        var position = Int(truncatingIfNeeded: hash) & t.mask
        while true {
            let slot = UInt64(littleEndian: t.slots.loadUnaligned(fromByteOffset: position * SnapshotLayout.slotSize,
                                                                  as: UInt64.self))
            let stored = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF)
            if stored == 0 { return nil }
            if UInt32(truncatingIfNeeded: slot >> 32) == tag && matches(stored - 1) { return stored - 1 }
            position = (position + 1) & t.mask
        }
    }
}

// MARK: - Blob sections

extension ReservationSnapshot {
    /// Where record `i`'s variable-length keys are: the DUID's bytes, and cursors at the start of
    /// its Option 82 and Option 18/37 fields (checked at construction to lie inside the blob).
    struct Sections {
        var duid: UnsafeRawBufferPointer
        var option82: BlobCursor
        var option1837: BlobCursor
    }

    @inline(__always) func sections(_ i: Int) -> Sections { ReservationSnapshot.sections(record: record(i), blob: blob) }

    @inline(__always) static func sections(record: UnsafeRawPointer, blob: UnsafeRawPointer) -> Sections {
        typealias P = SnapshotLayout.Presence
        let f = UInt16(littleEndian: record.loadUnaligned(fromByteOffset: SnapshotLayout.Record.flags, as: UInt16.self))
        let offset = UInt32(littleEndian: record.loadUnaligned(fromByteOffset: SnapshotLayout.Record.blobOffset, as: UInt32.self))
        var cursor = BlobCursor(at: blob + Int(offset))
        var duid = UnsafeRawBufferPointer(start: nil, count: 0)
        if f & P.duid != 0 {
            let n = Int(cursor.u16())
            duid = UnsafeRawBufferPointer(start: cursor.pointer, count: n)
            cursor.skip(n)
        }
        let o82 = cursor
        if f & P.o82Circuit != 0 { cursor.skipString() }
        if f & P.o82Remote != 0 { cursor.skipString() }
        if f & P.o82Subscriber != 0 { cursor.skipString() }
        return Sections(duid: duid, option82: o82, option1837: cursor)
    }

    /// Reads a record's blob fields in order.
    struct BlobCursor {
        var pointer: UnsafeRawPointer
        init(at pointer: UnsafeRawPointer) { self.pointer = pointer }

        @inline(__always) mutating func u16() -> UInt16 {
            defer { pointer += 2 }
            return UInt16(littleEndian: pointer.loadUnaligned(as: UInt16.self))
        }

        @inline(__always) mutating func u32() -> UInt32 {
            defer { pointer += 4 }
            return UInt32(littleEndian: pointer.loadUnaligned(as: UInt32.self))
        }

        @inline(__always) mutating func skip(_ n: Int) { pointer += n }
        @inline(__always) mutating func skipString() { skip(Int(u32())) }

        mutating func stringBytes() -> UnsafeRawBufferPointer {
            let n = Int(u32())
            defer { pointer += n }
            return UnsafeRawBufferPointer(start: pointer, count: n)
        }

        mutating func string() -> String { String(decoding: stringBytes(), as: UTF8.self) }

        /// Whether the next field equals `value` (both absent, or both present with the same bytes);
        /// consumes the field when present.
        @inline(__always) mutating func matches(_ value: String?, present: Bool) -> Bool {
            guard present else { return value == nil }
            guard var value else { return false }
            let stored = stringBytes()
            return value.withUTF8 { utf8 in
                utf8.count == stored.count && (stored.isEmpty || memoryEqual(stored, UnsafeRawBufferPointer(utf8)))
            }
        }
    }
}

@inline(__always)
func memoryEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    var i = 0
    let n = a.count
    while i + 8 <= n {
        if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
            return false
        }
        i += 8
    }
    while i < n {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}

/// Heap memory for a snapshot built in this process (tests, `--check`, tools).
final class HeapImage {
    let buffer: UnsafeMutableRawBufferPointer

    init(byteCount: Int) {
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: 8)
    }

    deinit { buffer.deallocate() }
}
