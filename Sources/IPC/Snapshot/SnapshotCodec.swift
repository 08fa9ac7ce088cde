import ShadowCore

/// Why a snapshot was refused.
public enum SnapshotError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The byte count differs from the announced one.
    case lengthMismatch(expected: UInt64, actual: Int)
    /// The digest differs from the announced one.
    case digestMismatch(expected: UInt64, actual: UInt64)
    /// Not a snapshot (magic) or an unknown format version.
    case badMagic
    case unsupportedVersion(UInt32)
    /// The count in the snapshot differs from the announced one.
    case countMismatch(expected: UInt32, actual: UInt32)
    /// The data ends inside a record.
    case truncated(record: Int, offset: Int)
    /// Bytes remain after the last record.
    case trailingBytes(Int)
    /// A field of a record has a value that is not allowed.
    case invalidField(record: Int, field: String, offset: Int)
    /// A reservation cannot be encoded (a field exceeds its wire limit).
    case unencodable(record: Int, field: String)

    public var description: String {
        switch self {
        case .lengthMismatch(let e, let a): "snapshot is \(a) bytes, \(e) announced"
        case .digestMismatch(let e, let a): "snapshot digest \(a) does not match the announced \(e)"
        case .badMagic: "not a reservation snapshot"
        case .unsupportedVersion(let v): "unsupported snapshot version \(v)"
        case .countMismatch(let e, let a): "snapshot holds \(a) reservations, \(e) announced"
        case .truncated(let r, let o): "snapshot ends inside record \(r) at offset \(o)"
        case .trailingBytes(let n): "snapshot has \(n) trailing bytes"
        case .invalidField(let r, let f, let o): "snapshot record \(r) has an invalid \(f) at offset \(o)"
        case .unencodable(let r, let f): "reservation \(r) cannot be encoded: \(f) too long"
        }
    }
}

/// `[Reservation]` ↔ bytes, compact and fast (layout in docs/ipc.md "Snapshot format").
///
/// The master computes ``encodedByteCount(of:)``, creates a memfd of that size, encodes straight
/// into its mapping with ``encode(_:into:)``, seals it and announces it with
/// ``announcement(for:snapshotGeneration:reservationCount:)``. The worker maps it read-only and
/// calls ``decode(_:announcement:)``, which checks length and digest before decoding anything.
public enum SnapshotCodec {
    /// "SHDWSNAP" as a little-endian u64.
    static let magic: UInt64 = 0x5041_4E53_5744_4853
    static let version: UInt32 = 1
    static let headerSize = 16

    /// Presence bits of a record's flag word.
    struct Presence {
        static let mac: UInt16 = 1 << 0
        static let duid: UInt16 = 1 << 1
        static let option82: UInt16 = 1 << 2
        static let o82Circuit: UInt16 = 1 << 3
        static let o82Remote: UInt16 = 1 << 4
        static let o82Subscriber: UInt16 = 1 << 5
        static let option1837: UInt16 = 1 << 6
        static let o1837Interface: UInt16 = 1 << 7
        static let o1837Remote: UInt16 = 1 << 8
        static let o1837Enterprise: UInt16 = 1 << 9
        static let all: UInt16 = (1 << 10) - 1
    }

    /// Exact number of bytes ``encode(_:into:)`` writes; throws if a field exceeds its wire limit
    /// (a DUID over 255 bytes, a string over 65,535 bytes, more than 2³²−1 reservations).
    public static func encodedByteCount(of reservations: [Reservation]) throws(SnapshotError) -> Int {
        guard reservations.count <= Int(UInt32.max) else { throw .unencodable(record: -1, field: "count") }
        return try reservations.withUnsafeBufferPointer { all in
            Result { () throws(SnapshotError) in try byteCount(all) }
        }.get()
    }

    /// Fields are read through the buffer, so no whole Reservation is copied (and retained).
    private static func byteCount(_ all: UnsafeBufferPointer<Reservation>) throws(SnapshotError) -> Int {
        var total = headerSize
        for i in all.indices {
            let r = all.baseAddress! + i
            total += 2 + 4 + 16 + 17
            if r.pointee.mac != nil { total += 6 }
            if let d = r.pointee.duid {
                guard d.bytes.count <= 255 else { throw .unencodable(record: i, field: "duid") }
                total += 1 + d.bytes.count
            }
            if let o = r.pointee.option82 {
                total += try stringSize(o.circuit, i, "option82 circuit")
                total += try stringSize(o.remote, i, "option82 remote")
                total += try stringSize(o.subscriber, i, "option82 subscriber")
            }
            if let o = r.pointee.option1837 {
                total += try stringSize(o.interface, i, "option1837 interface")
                total += try stringSize(o.remote, i, "option1837 remote")
                if o.enterpriseNumber != nil { total += 4 }
            }
        }
        return total
    }

    private static func stringSize(_ s: String?, _ record: Int, _ field: String) throws(SnapshotError) -> Int {
        guard let s else { return 0 }
        let n = s.utf8.count
        guard n <= Int(UInt16.max) else { throw .unencodable(record: record, field: field) }
        return 2 + n
    }

    /// Encodes into `buffer`, which must be exactly ``encodedByteCount(of:)`` bytes.
    public static func encode(_ reservations: [Reservation], into buffer: UnsafeMutableRawBufferPointer) {
        var w = RawWriter(buffer)
        w.u64(magic)
        w.u32(version)
        w.u32(UInt32(reservations.count))
        reservations.withUnsafeBufferPointer { all in
            for i in all.indices { encodeRecord(all.baseAddress! + i, &w) }
        }
        precondition(w.offset == buffer.count, "snapshot buffer size is not encodedByteCount")
    }

    /// Encodes into a new array.
    public static func encode(_ reservations: [Reservation]) throws(SnapshotError) -> [UInt8] {
        let size = try encodedByteCount(of: reservations)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            encode(reservations, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = size
        }
    }

    /// The announcement for encoded `bytes`.
    public static func announcement(
        for bytes: UnsafeRawBufferPointer, snapshotGeneration: UInt64, reservationCount: Int
    ) -> SnapshotAnnouncement {
        SnapshotAnnouncement(snapshotGeneration: snapshotGeneration, byteCount: UInt64(bytes.count),
                             digest: SnapshotDigest.compute(bytes), reservationCount: UInt32(reservationCount))
    }

    private static func encodeRecord(_ r: UnsafePointer<Reservation>, _ w: inout RawWriter) {
        var flags: UInt16 = 0
        if r.pointee.mac != nil { flags |= Presence.mac }
        if r.pointee.duid != nil { flags |= Presence.duid }
        if let o = r.pointee.option82 {
            flags |= Presence.option82
            if o.circuit != nil { flags |= Presence.o82Circuit }
            if o.remote != nil { flags |= Presence.o82Remote }
            if o.subscriber != nil { flags |= Presence.o82Subscriber }
        }
        if let o = r.pointee.option1837 {
            flags |= Presence.option1837
            if o.interface != nil { flags |= Presence.o1837Interface }
            if o.remote != nil { flags |= Presence.o1837Remote }
            if o.enterpriseNumber != nil { flags |= Presence.o1837Enterprise }
        }
        w.u16(flags)
        w.u32(r.pointee.ipv4.value)
        w.u64(r.pointee.ipv6NA.high); w.u64(r.pointee.ipv6NA.low)
        w.u64(r.pointee.ipv6PD.address.high); w.u64(r.pointee.ipv6PD.address.low); w.u8(r.pointee.ipv6PD.prefixLength)
        if let mac = r.pointee.mac {
            w.u16(UInt16(truncatingIfNeeded: mac.value)); w.u32(UInt32(truncatingIfNeeded: mac.value >> 16))
        }
        if let d = r.pointee.duid { w.u8(UInt8(d.bytes.count)); w.raw(d.bytes) }
        if let o = r.pointee.option82 {
            if let s = o.circuit { w.string16(s) }
            if let s = o.remote { w.string16(s) }
            if let s = o.subscriber { w.string16(s) }
        }
        if let o = r.pointee.option1837 {
            if let s = o.interface { w.string16(s) }
            if let s = o.remote { w.string16(s) }
            if let e = o.enterpriseNumber { w.u32(e) }
        }
    }
}
