/// The byte layout of a ``ReservationSnapshot``: a flat, position-independent image that the master
/// writes once into a sealed memory file and every worker uses in place, without decoding it into
/// objects (docs/ipc.md, "Snapshot format"). All integers are little-endian.
///
/// ```
/// header   64 bytes  magic "SHDWSNAP", version 3, reservation count, key-blob size,
///                    capacity of each of the four hash tables, keys in each table, size of the
///                    option-set section
/// records  count × 64 bytes, fixed size, in reservations.json order; each ends with the index
///          of its `options_v4` set and of its `options_v6` set
/// blob     the variable-length keys (DUID, Option 82 and Option 18/37 strings), per record
/// options  (8-aligned) the distinct option sets, each stored once: v4 sets, then v6 sets; set 0
///          of each family is the empty set (``ReservationSnapshot/OptionTable``)
/// tables   MAC, DUID, Option 82, Option 18/37: open addressing, linear probing, 8-byte slots
///          (record index + 1, 0 = empty; upper 32 bits of the key's hash as a tag)
/// ```
///
/// A table's capacity is a power of two at least twice its key count, so it is at most half full
/// and a lookup ends at an empty slot after about 1.5 probes (hit) or 2.5 (miss). The tag rejects
/// almost every foreign slot without reading its record.
public enum SnapshotLayout {
    /// "SHDWSNAP" as a little-endian u64.
    public static let magic: UInt64 = 0x5041_4E53_5744_4853
    public static let version: UInt32 = 4
    public static let headerSize = 64
    public static let recordSize = 64
    static let slotSize = 8

    /// Header field offsets.
    enum Header {
        static let magic = 0, version = 8, count = 12, blobSize = 16
        /// Four u32 capacities, then four u32 key counts, in ``Table`` order.
        static let capacities = 24, keys = 40
        /// u64: bytes of the option-set section.
        static let optionsSize = 56
    }

    /// Record field offsets.
    enum Record {
        static let ipv4 = 0, flags = 4, pdLength = 6, zero = 7, blobOffset = 8, blobLength = 12
        static let mac = 16, naHigh = 24, naLow = 32, pdHigh = 40, pdLow = 48
        /// u32 indexes into the v4 and v6 option sets. Not part of a reservation's identity
        /// (``ReservationSnapshot/isSame(_:as:at:)`` stops before them).
        static let optionsV4 = 56, optionsV6 = 60
    }

    /// Presence bits of a record's flag word.
    public enum Presence {
        public static let mac: UInt16 = 1 << 0
        public static let duid: UInt16 = 1 << 1
        public static let option82: UInt16 = 1 << 2
        public static let o82Circuit: UInt16 = 1 << 3
        public static let o82Remote: UInt16 = 1 << 4
        public static let o82Subscriber: UInt16 = 1 << 5
        public static let option1837: UInt16 = 1 << 6
        public static let o1837Interface: UInt16 = 1 << 7
        public static let o1837Remote: UInt16 = 1 << 8
        public static let o1837Enterprise: UInt16 = 1 << 9
        public static let all: UInt16 = (1 << 10) - 1
        static let o82Fields = o82Circuit | o82Remote | o82Subscriber
        static let o1837Fields = o1837Interface | o1837Remote | o1837Enterprise
    }

    /// The four indexes, in header order.
    public enum Table: Int, CaseIterable, Sendable {
        case mac, duid, option82, option1837

        var name: String {
            switch self {
            case .mac: "mac"
            case .duid: "duid"
            case .option82: "option82"
            case .option1837: "option1837"
            }
        }
    }

    /// Slots for `keys` keys: 0 for none, else the power of two at least twice as large (minimum 8).
    static func capacity(forKeys keys: Int) -> Int {
        keys == 0 ? 0 : max(8, 1 << (Int.bitWidth - (2 * keys - 1).leadingZeroBitCount))
    }

    static func align8(_ n: Int) -> Int { (n + 7) & ~7 }
}

/// Why snapshot bytes were refused, or why reservations cannot be laid out.
public enum SnapshotFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    case badMagic
    case unsupportedVersion(UInt32)
    /// The byte count differs from what the header describes.
    case sizeMismatch(expected: Int, actual: Int)
    /// A header field holds a value that is not allowed.
    case invalidHeader(field: String)
    /// A field of record `record` (at byte `offset`) holds a value that is not allowed.
    case invalidRecord(record: Int, field: String, offset: Int)
    /// A slot of a hash table does not describe a key of its record.
    case invalidSlot(table: String, slot: Int)
    /// A reservation cannot be laid out (a field exceeds its limit).
    case unencodable(record: Int, field: String)
    /// The option-set section is malformed at byte `offset` of the image.
    case invalidOptions(field: String, offset: Int)

    public var description: String {
        switch self {
        case .badMagic: "not a reservation snapshot"
        case .unsupportedVersion(let v): "unsupported snapshot version \(v)"
        case .sizeMismatch(let e, let a): "snapshot is \(a) bytes, its header describes \(e)"
        case .invalidHeader(let f): "snapshot header has an invalid \(f)"
        case .invalidRecord(let r, let f, let o): "snapshot record \(r) has an invalid \(f) at offset \(o)"
        case .invalidSlot(let t, let s): "snapshot \(t) index has an invalid slot \(s)"
        case .unencodable(let r, let f): "reservation \(r) cannot be encoded: \(f) too long"
        case .invalidOptions(let f, let o): "snapshot option sets are invalid at offset \(o): \(f)"
        }
    }
}

/// FNV-1a over the key's canonical bytes, finished with a 64-bit mixer (MurmurHash3's fmix64) so
/// that both the low bits (slot) and the high bits (tag) depend on every byte. Fixed, not seeded:
/// the tables are built by the master and read by the workers. The keys come from the operator's
/// file, so no client can choose what collides in a table.
extension SnapshotLayout {
    /// The hash of a DUID in the DUID table (docs/ipc.md, "Tables"): the length, then the bytes as
    /// little-endian 64-bit words, each mixed in with a multiplication and a shift; a length that
    /// is not a multiple of 8 ends with the last 8 bytes (overlapping the word before), a DUID
    /// shorter than 8 bytes is read as two overlapping 4-byte halves (or byte by byte under 4);
    /// then MurmurHash3's `fmix64`. Word by word, not byte by byte: the DHCPv6 engine hashes the
    /// Client Identifier of every message once (``ReservationSnapshot/index(duidBytes:hash:)``),
    /// and the v6 worker's storm control keys the client's bucket with the same hash.
    @inlinable @inline(__always)
    public static func duidHash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        @inline(__always) func mix(_ h: UInt64, _ w: UInt64) -> UInt64 {
            let x = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
            return x ^ (x >> 29)
        }
        let n = bytes.count
        var h = mix(0xCBF2_9CE4_8422_2325, UInt64(n))
        if n >= 8 {
            var i = 0
            while i + 8 <= n {
                h = mix(h, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                i += 8
            }
            if i < n { h = mix(h, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))) }
        } else if n >= 4 {
            let low = UInt64(UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)))
            h = mix(h, low | high << 32)
        } else if n > 0 {
            var w: UInt64 = 0
            for i in 0..<n { w |= UInt64(bytes[i]) << (UInt64(i) * 8) }
            h = mix(h, w)
        }
        return fmix64(h)
    }

    /// MurmurHash3's 64-bit finaliser, the last step of every key's hash.
    @inlinable @inline(__always)
    static func fmix64(_ x: UInt64) -> UInt64 {
        var k = x
        k ^= k >> 33
        k &*= 0xFF51_AFD7_ED55_8CCD
        k ^= k >> 33
        k &*= 0xC4CE_B9FE_1A85_EC53
        k ^= k >> 33
        return k
    }
}

struct KeyHash {
    private var state: UInt64 = 0xCBF2_9CE4_8422_2325

    @inline(__always) mutating func byte(_ b: UInt8) { state = (state ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }

    @inline(__always) mutating func bytes(_ p: UnsafeRawBufferPointer) {
        for b in p { byte(b) }
    }

    @inline(__always) mutating func u32(_ v: UInt32) {
        byte(UInt8(truncatingIfNeeded: v)); byte(UInt8(truncatingIfNeeded: v >> 8))
        byte(UInt8(truncatingIfNeeded: v >> 16)); byte(UInt8(truncatingIfNeeded: v >> 24))
    }

    /// A length-prefixed string, as the blob stores it.
    @inline(__always) mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            u32(UInt32(truncatingIfNeeded: utf8.count))
            bytes(UnsafeRawBufferPointer(utf8))
        }
    }

    var value: UInt64 { KeyHash.mix(state) }

    @inline(__always) static func mix(_ x: UInt64) -> UInt64 { SnapshotLayout.fmix64(x) }

    @inline(__always) static func mac(_ value: UInt64) -> UInt64 { mix(value ^ 0x9E37_79B9_7F4A_7C15) }

    static func duid(_ bytes: UnsafeRawBufferPointer) -> UInt64 { SnapshotLayout.duidHash(bytes) }

    /// Presence bits (circuit 1, remote 2, subscriber 4), then each present field length-prefixed.
    static func option82(_ o: Option82) -> UInt64 {
        var h = KeyHash()
        h.byte((o.circuit != nil ? 1 : 0) | (o.remote != nil ? 2 : 0) | (o.subscriber != nil ? 4 : 0))
        if let s = o.circuit { h.string(s) }
        if let s = o.remote { h.string(s) }
        if let s = o.subscriber { h.string(s) }
        return h.value
    }

    /// Presence bits (interface 1, remote 2, enterprise 4), then each present field.
    static func option1837(_ o: Option1837) -> UInt64 {
        var h = KeyHash()
        h.byte((o.interface != nil ? 1 : 0) | (o.remote != nil ? 2 : 0) | (o.enterpriseNumber != nil ? 4 : 0))
        if let s = o.interface { h.string(s) }
        if let s = o.remote { h.string(s) }
        if let e = o.enterpriseNumber { h.u32(e) }
        return h.value
    }
}
