// Writing and checking the flat image (SnapshotLayout).

extension ReservationSnapshot {
    /// Sizes of an image before it is written.
    struct Plan {
        var blobSize = 0
        var capacities = [0, 0, 0, 0]
        var options = OptionTable()
        var total = 0
        /// Key bytes of each run of ``chunk`` records, so that runs can be written at once.
        var chunkBlobSizes: [Int] = []

        /// Records per run written by one job.
        static let chunk = 65_536

        /// Where the option-set section starts, for `count` records.
        func optionsStart(_ count: Int) -> Int {
            SnapshotLayout.align8(SnapshotLayout.headerSize + count * SnapshotLayout.recordSize + blobSize)
        }
    }

    /// Exact number of bytes ``encode(_:into:)`` writes for `reservations`.
    public static func encodedByteCount(of reservations: [Reservation]) throws(SnapshotFormatError) -> Int {
        try encodingPlan(for: reservations).byteCount
    }

    /// What an image of some reservations will hold and where: made once, then its size is known
    /// and ``encode(_:plan:into:work:)`` writes without planning again.
    public struct EncodingPlan: Sendable {
        let plan: Plan
        let count: Int
        /// Exact number of bytes the image takes.
        public var byteCount: Int { plan.total }
    }

    /// Plans the image of `reservations`; throws if a field exceeds the format's limits.
    public static func encodingPlan(for reservations: [Reservation]) throws(SnapshotFormatError) -> EncodingPlan {
        let plan = try reservations.withUnsafeBufferPointer { all in
            Result { () throws(SnapshotFormatError) in try self.plan(all) }
        }.get()
        return EncodingPlan(plan: plan, count: reservations.count)
    }

    /// Writes the image of `reservations`, planned by ``encodingPlan(for:)`` for these same
    /// reservations, into `buffer` of exactly `plan.byteCount` bytes.
    public static func encode(_ reservations: [Reservation], plan: EncodingPlan, into buffer: UnsafeMutableRawBufferPointer,
                              work: ParallelWork = .serial) {
        precondition(plan.count == reservations.count, "the plan is for other reservations")
        precondition(buffer.count == plan.byteCount, "snapshot buffer size is not the plan's")
        reservations.withUnsafeBufferPointer { all in write(all, plan.plan, buffer.baseAddress!, work) }
    }

    /// Writes the image of `reservations` into `buffer`, which must be exactly
    /// ``encodedByteCount(of:)`` bytes (any content; every byte is written).
    ///
    /// On `work`, runs of 65,536 records are written as separate jobs, and then the four key
    /// tables (each job writes only its own bytes); the image is the same byte for byte.
    public static func encode(_ reservations: [Reservation], into buffer: UnsafeMutableRawBufferPointer,
                              work: ParallelWork = .serial) {
        reservations.withUnsafeBufferPointer { all in
            let plan: Plan
            do { plan = try self.plan(all) } catch { preconditionFailure("encode without encodedByteCount: \(error)") }
            precondition(buffer.count == plan.total, "snapshot buffer size is not encodedByteCount")
            write(all, plan, buffer.baseAddress!, work)
        }
    }

    /// Fields are read through the buffer, so no whole Reservation is copied (and retained).
    static func plan(_ all: UnsafeBufferPointer<Reservation>) throws(SnapshotFormatError) -> Plan {
        typealias L = SnapshotLayout
        guard all.count <= Int(UInt32.max) else { throw .unencodable(record: -1, field: "count") }
        var plan = Plan()
        var counts = [0, 0, 0, 0]
        plan.chunkBlobSizes.reserveCapacity(all.count / Plan.chunk + 1)
        for i in all.indices {
            let r = all.baseAddress! + i
            let length = try blobLength(r, record: i)
            plan.blobSize += length
            if i % Plan.chunk == 0 { plan.chunkBlobSizes.append(0) }
            plan.chunkBlobSizes[plan.chunkBlobSizes.count - 1] += length
            guard plan.blobSize <= Int(UInt32.max) else { throw .unencodable(record: i, field: "key text") }
            if r.pointee.mac != nil { counts[L.Table.mac.rawValue] += 1 }
            if r.pointee.duid != nil { counts[L.Table.duid.rawValue] += 1 }
            if r.pointee.option82 != nil { counts[L.Table.option82.rawValue] += 1 }
            if r.pointee.option1837 != nil { counts[L.Table.option1837.rawValue] += 1 }
        }
        plan.capacities = counts.map(L.capacity(forKeys:))
        plan.options = try OptionTable(all)
        plan.total = L.align8(plan.optionsStart(all.count) + plan.options.byteCount)
            + plan.capacities.reduce(0, +) * L.slotSize
        return plan
    }

    private static func blobLength(_ r: UnsafePointer<Reservation>, record: Int) throws(SnapshotFormatError) -> Int {
        var n = 0
        if let d = r.pointee.duid {
            guard d.bytes.count <= Int(UInt16.max) else { throw .unencodable(record: record, field: "duid") }
            n += 2 + d.bytes.count
        }
        if let o = r.pointee.option82 {
            if let s = o.circuit { n += 4 + s.utf8.count }
            if let s = o.remote { n += 4 + s.utf8.count }
            if let s = o.subscriber { n += 4 + s.utf8.count }
        }
        if let o = r.pointee.option1837 {
            if let s = o.interface { n += 4 + s.utf8.count }
            if let s = o.remote { n += 4 + s.utf8.count }
            if o.enterpriseNumber != nil { n += 4 }
        }
        return n
    }

    private static func write(_ all: UnsafeBufferPointer<Reservation>, _ plan: Plan, _ base: UnsafeMutableRawPointer,
                              _ work: ParallelWork) {
        typealias L = SnapshotLayout
        let out = ImageWriter(base: base)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: L.headerSize)
        out.put(L.magic, at: L.Header.magic)
        out.put(L.version, at: L.Header.version)
        out.put(UInt32(all.count), at: L.Header.count)
        out.put(UInt64(plan.blobSize), at: L.Header.blobSize)
        out.put(UInt64(plan.options.byteCount), at: L.Header.optionsSize)
        for (t, capacity) in plan.capacities.enumerated() { out.put(UInt32(capacity), at: L.Header.capacities + 4 * t) }
        let blobStart = L.headerSize + all.count * L.recordSize
        // Each run of records starts its key bytes where the runs before it end.
        var chunkStarts: [Int] = []
        var blobEnd = blobStart
        for size in plan.chunkBlobSizes {
            chunkStarts.append(blobEnd)
            blobEnd += size
        }
        let shared = SharedImage(all: all, plan: plan, base: base)
        let runStarts = chunkStarts
        work.run(runStarts.count) { c in
            let start = c * Plan.chunk
            shared.writeRecords(start..<min(start + Plan.chunk, shared.all.count), blobAt: runStarts[c], blobStart: blobStart)
        }
        // Padding and tables start out zero (empty slots).
        (base + blobEnd).initializeMemory(as: UInt8.self, repeating: 0, count: plan.total - blobEnd)
        let optionsStart = plan.optionsStart(all.count)
        plan.options.write(out, at: optionsStart)
        var tableStarts: [Int] = []
        var tableStart = L.align8(optionsStart + plan.options.byteCount)
        for t in L.Table.allCases {
            tableStarts.append(tableStart)
            tableStart += plan.capacities[t.rawValue] * L.slotSize
        }
        let keys = JobResults<Int>(count: L.Table.allCases.count, initial: 0), starts = tableStarts
        work.run(L.Table.allCases.count) { t in
            let table = L.Table.allCases[t]
            keys[t] = fill(table, capacity: shared.plan.capacities[t], slots: shared.base + starts[t], shared.all, shared.base)
        }
        for t in L.Table.allCases { out.put(UInt32(keys[t.rawValue]), at: L.Header.keys + 4 * t.rawValue) }
    }

    /// The records `range` and their key bytes, from `blobAt` (an offset in the image).
    fileprivate static func writeRecords(_ range: Range<Int>, blobAt: Int, blobStart: Int,
                                         _ all: UnsafeBufferPointer<Reservation>, _ plan: Plan, _ base: UnsafeMutableRawPointer) {
        typealias L = SnapshotLayout
        typealias P = L.Presence
        let out = ImageWriter(base: base)
        var blobEnd = blobAt
        for i in range {
            let r = all.baseAddress! + i
            let at = L.headerSize + i * L.recordSize
            var flags: UInt16 = 0
            if r.pointee.mac != nil { flags |= P.mac }
            if r.pointee.duid != nil { flags |= P.duid }
            if let o = r.pointee.option82 {
                flags |= P.option82
                if o.circuit != nil { flags |= P.o82Circuit }
                if o.remote != nil { flags |= P.o82Remote }
                if o.subscriber != nil { flags |= P.o82Subscriber }
            }
            if let o = r.pointee.option1837 {
                flags |= P.option1837
                if o.interface != nil { flags |= P.o1837Interface }
                if o.remote != nil { flags |= P.o1837Remote }
                if o.enterpriseNumber != nil { flags |= P.o1837Enterprise }
            }
            out.put(r.pointee.ipv4.value, at: at + L.Record.ipv4)
            out.put(flags, at: at + L.Record.flags)
            out.put(r.pointee.ipv6PD.prefixLength, at: at + L.Record.pdLength)
            out.put(UInt8(0), at: at + L.Record.zero)
            out.put(UInt32(blobEnd - blobStart), at: at + L.Record.blobOffset)
            out.put(r.pointee.mac?.value ?? 0, at: at + L.Record.mac)
            out.put(r.pointee.ipv6NA.high, at: at + L.Record.naHigh)
            out.put(r.pointee.ipv6NA.low, at: at + L.Record.naLow)
            out.put(r.pointee.ipv6PD.address.high, at: at + L.Record.pdHigh)
            out.put(r.pointee.ipv6PD.address.low, at: at + L.Record.pdLow)
            out.put(plan.options.index(i, v6: false), at: at + L.Record.optionsV4)
            out.put(plan.options.index(i, v6: true), at: at + L.Record.optionsV6)
            let start = blobEnd
            if let d = r.pointee.duid {
                out.put(UInt16(d.bytes.count), at: blobEnd)
                d.bytes.withUnsafeBytes { out.copy($0, at: blobEnd + 2) }
                blobEnd += 2 + d.bytes.count
            }
            if let o = r.pointee.option82 {
                if let s = o.circuit { out.string(s, at: &blobEnd) }
                if let s = o.remote { out.string(s, at: &blobEnd) }
                if let s = o.subscriber { out.string(s, at: &blobEnd) }
            }
            if let o = r.pointee.option1837 {
                if let s = o.interface { out.string(s, at: &blobEnd) }
                if let s = o.remote { out.string(s, at: &blobEnd) }
                if let e = o.enterpriseNumber { out.put(e, at: blobEnd); blobEnd += 4 }
            }
            out.put(UInt32(blobEnd - start), at: at + L.Record.blobLength)
        }
    }

    /// Inserts every reservation's key of kind `table`; returns the number of distinct keys. A key
    /// already present (only possible in unvalidated input) is taken over by the later entry.
    private static func fill(_ table: SnapshotLayout.Table, capacity: Int, slots: UnsafeMutableRawPointer,
                             _ all: UnsafeBufferPointer<Reservation>, _ base: UnsafeMutableRawPointer) -> Int {
        guard capacity > 0 else { return 0 }
        typealias L = SnapshotLayout
        let records = UnsafeRawPointer(base + L.headerSize)
        let blob = records + all.count * L.recordSize
        var keys = 0
        for i in all.indices {
            let r = all.baseAddress! + i
            let hash: UInt64
            switch table {
            case .mac: guard let k = r.pointee.mac else { continue }; hash = KeyHash.mac(k.value)
            case .duid: guard let k = r.pointee.duid else { continue }; hash = k.bytes.withUnsafeBytes { KeyHash.duid($0) }
            case .option82: guard let k = r.pointee.option82 else { continue }; hash = KeyHash.option82(k)
            case .option1837: guard let k = r.pointee.option1837 else { continue }; hash = KeyHash.option1837(k)
            }
            let tag = UInt64(hash >> 32) << 32
            var position = Int(truncatingIfNeeded: hash) & (capacity - 1)
            while true {
                let slot = slots + position * L.slotSize
                let stored = UInt64(littleEndian: slot.loadUnaligned(as: UInt64.self))
                let j = Int(stored & 0xFFFF_FFFF) - 1
                if j < 0 {
                    keys += 1
                } else if stored & ~0xFFFF_FFFF != tag
                            || !sameKey(table, keyBytes(table, j, records, blob), keyBytes(table, i, records, blob)) {
                    position = (position + 1) & (capacity - 1)
                    continue
                }
                slot.storeBytes(of: (tag | UInt64(i + 1)).littleEndian, as: UInt64.self)
                break
            }
        }
        return keys
    }

    /// A record's key of one kind as (presence bits, canonical bytes): the bytes the key's hash runs
    /// over after its presence byte. For a MAC, the 8 bytes of its value.
    static func keyBytes(_ table: SnapshotLayout.Table, _ i: Int, _ records: UnsafeRawPointer,
                         _ blob: UnsafeRawPointer) -> (presence: UInt8, bytes: UnsafeRawBufferPointer) {
        typealias L = SnapshotLayout
        let record = records + i * L.recordSize
        let flags = UInt16(littleEndian: record.loadUnaligned(fromByteOffset: L.Record.flags, as: UInt16.self))
        if table == .mac { return (0, UnsafeRawBufferPointer(start: record + L.Record.mac, count: 8)) }
        let s = sections(record: record, blob: blob)
        let end = blob + Int(UInt32(littleEndian: record.loadUnaligned(fromByteOffset: L.Record.blobOffset, as: UInt32.self)))
            + Int(UInt32(littleEndian: record.loadUnaligned(fromByteOffset: L.Record.blobLength, as: UInt32.self)))
        switch table {
        case .mac: return (0, UnsafeRawBufferPointer(start: record + L.Record.mac, count: 8))
        case .duid: return (0, s.duid)
        case .option82:
            return (UInt8((flags >> 3) & 7), UnsafeRawBufferPointer(start: s.option82.pointer,
                                                                    count: s.option1837.pointer - s.option82.pointer))
        case .option1837:
            return (UInt8((flags >> 7) & 7), UnsafeRawBufferPointer(start: s.option1837.pointer,
                                                                    count: end - s.option1837.pointer))
        }
    }

    private static func sameKey(_ table: SnapshotLayout.Table, _ a: (presence: UInt8, bytes: UnsafeRawBufferPointer),
                                _ b: (presence: UInt8, bytes: UnsafeRawBufferPointer)) -> Bool {
        a.presence == b.presence && a.bytes.count == b.bytes.count && (a.bytes.isEmpty || memoryEqual(a.bytes, b.bytes))
    }

    /// The hash of a stored key, from its canonical bytes (equal to the hash of the key's value).
    static func storedHash(_ table: SnapshotLayout.Table, _ key: (presence: UInt8, bytes: UnsafeRawBufferPointer)) -> UInt64 {
        switch table {
        case .mac: return KeyHash.mac(UInt64(littleEndian: key.bytes.loadUnaligned(as: UInt64.self)))
        case .duid: return KeyHash.duid(key.bytes)
        case .option82, .option1837:
            var h = KeyHash()
            h.byte(key.presence)
            h.bytes(key.bytes)
            return h.value
        }
    }

    // MARK: checking

    /// Record `i`: known flag bits only, sub-field bits only with their key, a zero reserved byte and
    /// MAC value when absent, a prefix length ≤ 128, and key fields that fill exactly its blob range.
    func checkRecord(_ i: Int, blobSize: Int) throws(SnapshotFormatError) {
        typealias L = SnapshotLayout
        typealias P = L.Presence
        let r = record(i)
        let at = L.headerSize + i * L.recordSize
        func invalid(_ field: String, _ offset: Int) -> SnapshotFormatError {
            .invalidRecord(record: i, field: field, offset: at + offset)
        }
        let f = flags(i)
        guard f & ~P.all == 0 else { throw invalid("flags", L.Record.flags) }
        guard f & P.option82 != 0 || f & P.o82Fields == 0 else { throw invalid("option82 flags", L.Record.flags) }
        guard f & P.option1837 != 0 || f & P.o1837Fields == 0 else { throw invalid("option1837 flags", L.Record.flags) }
        guard r.load(fromByteOffset: L.Record.zero, as: UInt8.self) == 0 else { throw invalid("reserved byte", L.Record.zero) }
        guard r.load(fromByteOffset: L.Record.pdLength, as: UInt8.self) <= 128 else {
            throw invalid("ipv6_pd length", L.Record.pdLength)
        }
        let mac = UInt64(littleEndian: r.loadUnaligned(fromByteOffset: L.Record.mac, as: UInt64.self))
        guard f & P.mac != 0 ? mac <= 0xFFFF_FFFF_FFFF : mac == 0 else { throw invalid("mac", L.Record.mac) }
        let offset = Int(UInt32(littleEndian: r.loadUnaligned(fromByteOffset: L.Record.blobOffset, as: UInt32.self)))
        let length = Int(UInt32(littleEndian: r.loadUnaligned(fromByteOffset: L.Record.blobLength, as: UInt32.self)))
        guard offset + length <= blobSize else { throw invalid("key range", L.Record.blobOffset) }
        // Walk the fields with explicit bounds before any unchecked reader touches them.
        var used = 0
        func take(_ n: Int) -> Bool {
            guard n <= length - used else { return false }
            used += n
            return true
        }
        func field(prefix: Int) -> Bool {
            guard prefix <= length - used else { return false }
            let p = blob + offset + used
            let n = prefix == 2 ? Int(UInt16(littleEndian: p.loadUnaligned(as: UInt16.self)))
                                : Int(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
            used += prefix
            return take(n)
        }
        var ok = true
        if f & P.duid != 0 { ok = ok && field(prefix: 2) }
        if f & P.o82Circuit != 0 { ok = ok && field(prefix: 4) }
        if f & P.o82Remote != 0 { ok = ok && field(prefix: 4) }
        if f & P.o82Subscriber != 0 { ok = ok && field(prefix: 4) }
        if f & P.o1837Interface != 0 { ok = ok && field(prefix: 4) }
        if f & P.o1837Remote != 0 { ok = ok && field(prefix: 4) }
        if f & P.o1837Enterprise != 0 { ok = ok && take(4) }
        guard ok && used == length else { throw invalid("key fields", L.Record.blobLength) }
        let v4 = UInt32(littleEndian: r.loadUnaligned(fromByteOffset: L.Record.optionsV4, as: UInt32.self))
        let v6 = UInt32(littleEndian: r.loadUnaligned(fromByteOffset: L.Record.optionsV6, as: UInt32.self))
        guard Int(v4) < optionSetsV4.count else { throw invalid("options_v4 set", L.Record.optionsV4) }
        guard Int(v6) < optionSetsV6.count else { throw invalid("options_v6 set", L.Record.optionsV6) }
    }

    /// Every used slot names an existing record that has this kind of key; unused slots are all
    /// zero; the used ones number exactly the header's key count (so a probe always ends). Whether
    /// a slot's tag is its key's hash is not checked: a wrong tag could only make a lookup miss,
    /// and the digest already vouches for the bytes. This keeps the check one sequential pass.
    /// `kinds[j]` is the low byte of record `j`'s presence flags (the key kinds).
    func checkTable(_ table: SnapshotLayout.Table, capacity: Int, keys: Int,
                    kinds: UnsafeBufferPointer<UInt8>) throws(SnapshotFormatError) {
        let t = tables[table.rawValue]
        var used = 0
        let kind: UInt8 = switch table {
        case .mac: UInt8(SnapshotLayout.Presence.mac)
        case .duid: UInt8(SnapshotLayout.Presence.duid)
        case .option82: UInt8(SnapshotLayout.Presence.option82)
        case .option1837: UInt8(SnapshotLayout.Presence.option1837)
        }
        for position in 0..<capacity {
            let slot = UInt64(littleEndian: t.slots.loadUnaligned(fromByteOffset: position * SnapshotLayout.slotSize,
                                                                  as: UInt64.self))
            if slot == 0 { continue }
            let j = Int(slot & 0xFFFF_FFFF) - 1
            guard j >= 0, j < count, kinds[j] & kind != 0 else { throw .invalidSlot(table: table.name, slot: position) }
            used += 1
        }
        guard used == keys else { throw .invalidHeader(field: "\(table.name) key count") }
    }
}

/// Little-endian stores at absolute offsets of an image being written.
struct ImageWriter {
    let base: UnsafeMutableRawPointer

    @inline(__always) func put<T: FixedWidthInteger>(_ v: T, at offset: Int) {
        base.storeBytes(of: v.littleEndian, toByteOffset: offset, as: T.self)
    }

    func copy(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        if let source = bytes.baseAddress, !bytes.isEmpty { (base + offset).copyMemory(from: source, byteCount: bytes.count) }
    }

    /// u32 length + UTF-8 bytes at `offset`, which moves past them.
    func string(_ s: String, at offset: inout Int) {
        var s = s
        let start = offset
        let n = s.withUTF8 { utf8 in
            copy(UnsafeRawBufferPointer(utf8), at: start + 4)
            return utf8.count
        }
        put(UInt32(n), at: start)
        offset = start + 4 + n
    }
}

/// What the jobs of one ``ReservationSnapshot/encode(_:into:work:)`` share: the entries and the
/// plan, read only, and the image, of which each job writes its own bytes.
private struct SharedImage: @unchecked Sendable {
    // @unchecked: the caller keeps `all` and `base` alive until every job returned; jobs write
    // disjoint byte ranges of `base` and read nothing another job writes.
    let all: UnsafeBufferPointer<Reservation>
    let plan: ReservationSnapshot.Plan
    let base: UnsafeMutableRawPointer

    func writeRecords(_ range: Range<Int>, blobAt: Int, blobStart: Int) {
        ReservationSnapshot.writeRecords(range, blobAt: blobAt, blobStart: blobStart, all, plan, base)
    }
}
