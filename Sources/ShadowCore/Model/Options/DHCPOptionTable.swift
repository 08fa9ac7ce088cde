/// A merged option set laid out for the packet path: every value in one byte array, a value found
/// by code without reference counting (a ``DHCPOptionSet/Entry`` holds an array, and copying one
/// per lookup retains and releases it).
///
/// The engines build one per subnet at start (top level merged with the subnet, ``DHCPOptionLevels``
/// rules) and use it for every client whose reservation sets no options of its own.
///
/// Every entry is also kept ready for the wire in both forms (``unsafeV4Wire``,
/// ``unsafeV6Wire``): code, length and value (DHCPv4 values longer than 255 bytes already split as
/// RFC 3396 requires), so a reply copies each option it sends with one copy, and finds a code's
/// position through a 256-entry index, with no reference counting on the packet path.
// @unchecked: the buffers behind the views are written once in `init`, never after, and freed in
// `deinit`; the table is immutable like its arrays, but for its reply cache (packet thread only).
public final class DHCPOptionTable: @unchecked Sendable {
    /// Codes in ascending order.
    public let codes: [UInt16]
    /// Per position: the winning entry's `always_send`.
    public let alwaysSend: [Bool]
    /// Per position, where its value starts in `bytes`; one more element than ``codes``.
    @usableFromInline let starts: [Int]
    @usableFromInline let bytes: [UInt8]
    /// For codes 0–255: position + 1, 0 when absent.
    @usableFromInline let small: [UInt16]
    /// Positions of the `always_send` entries, ascending code order.
    public let alwaysSendPositions: [Int]
    /// The merged lease time (nil: the top level's, ``ServerConfig/leases``).
    public let leaseTime: UInt32?
    /// The entries ready for the DHCPv4 wire (empty for a code above 255), and for the DHCPv6 wire
    /// (empty for a value over 65,535 bytes). Unsafe: they point into memory the table owns, so
    /// they are valid only while the caller holds the table (a function's table parameter, for the
    /// duration of the call); never keep one beyond that.
    public let unsafeV4Wire: DHCPOptionWire
    public let unsafeV6Wire: DHCPOptionWire
    /// What the views point into, freed with the table.
    private let owned: [UnsafeMutableRawPointer]
    /// The configured part of recent DHCPv4 replies by option 55 list (``DHCPReplyOptionsCache``;
    /// the worker's packet thread only): 7 KB, allocated when a reply first stores in it.
    public let v4ReplyCache = DHCPReplyOptionsCache()
    /// The same for DHCPv6 by ORO: replies to an Information-request (which may carry option 32)
    /// and the others.
    public let v6ReplyCache = DHCPReplyOptionsCache()
    public let v6InformationReplyCache = DHCPReplyOptionsCache()

    public init(_ set: DHCPOptionSet) {
        var starts: [Int] = [], bytes: [UInt8] = [], small = [UInt16](repeating: 0, count: 256)
        for (i, e) in set.entries.enumerated() {
            starts.append(bytes.count)
            bytes += e.payload
            if e.code < 256 { small[Int(e.code)] = UInt16(truncatingIfNeeded: i + 1) }
        }
        starts.append(bytes.count)
        codes = set.entries.map(\.code)
        alwaysSend = set.entries.map(\.alwaysSend)
        alwaysSendPositions = set.entries.indices.filter { set.entries[$0].alwaysSend }
        self.starts = starts
        self.bytes = bytes
        self.small = small
        leaseTime = set.leaseTime
        var owned: [UnsafeMutableRawPointer] = []
        func keep<T>(_ array: [T]) -> UnsafeBufferPointer<T> {
            let p = UnsafeMutableBufferPointer<T>.allocate(capacity: max(array.count, 1))
            _ = p.initialize(from: array)
            owned.append(UnsafeMutableRawPointer(p.baseAddress!))
            return UnsafeBufferPointer(rebasing: p[0..<array.count])
        }
        let smallView = keep(small), codesView = keep(codes), alwaysView = keep(alwaysSend)
        var mask: UInt64 = 0
        for p in alwaysSendPositions where p < 64 { mask |= 1 << UInt64(p) }
        func wire(_ encode: (DHCPOptionSet.Entry, inout [UInt8]) -> Void) -> DHCPOptionWire {
            var starts: [Int] = [], bytes: [UInt8] = []
            for e in set.entries {
                starts.append(bytes.count)
                encode(e, &bytes)
            }
            starts.append(bytes.count)
            return DHCPOptionWire(small: smallView, codes: codesView, alwaysSend: alwaysView, alwaysSendMask: mask,
                                  starts: keep(starts), bytes: UnsafeRawBufferPointer(keep(bytes)))
        }
        unsafeV4Wire = wire(Self.encodeV4)
        unsafeV6Wire = wire(Self.encodeV6)
        self.owned = owned
    }

    deinit {
        for p in owned { p.deallocate() }
        v4ReplyCache.deallocate()
        v6ReplyCache.deallocate()
        v6InformationReplyCache.deallocate()
    }

    /// The merge of `levels` (reservation over subnet over top).
    public convenience init(_ levels: DHCPOptionLevels) { self.init(levels.merged) }

    public var isEmpty: Bool { codes.isEmpty }
    public var count: Int { codes.count }

    /// The position of `code`, nil when absent: the wire views' lookup (they index the same
    /// `small` and `codes`, and live as long as the table).
    @inlinable @inline(__always)
    public func position(of code: UInt16) -> Int? { unsafeV4Wire.position(of: code) }

    /// The length of the value at `position`.
    @inlinable @inline(__always)
    public func valueCount(at position: Int) -> Int { valueEnd(position) - valueStart(position) }

    @inlinable @inline(__always) func valueStart(_ p: Int) -> Int { starts[p] }
    @inlinable @inline(__always) func valueEnd(_ p: Int) -> Int { starts[p + 1] }

    /// Calls `body` with the value at `position`, in place.
    @inlinable @inline(__always)
    public func withValue<R>(at position: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let start = valueStart(position), end = valueEnd(position)
        return withBytes { body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    @inlinable @inline(__always)
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { bytes.withUnsafeBytes(body) }

    /// DHCPv4: code, length, value; a value longer than 255 bytes as consecutive instances of at
    /// most 255 bytes (RFC 3396 §5), an empty one as one instance of length 0. Nothing for a code
    /// above 255, which DHCPv4 cannot carry.
    static func encodeV4(_ e: DHCPOptionSet.Entry, into bytes: inout [UInt8]) {
        guard e.code < 256 else { return }
        var start = 0
        repeat {
            let end = min(start + 255, e.payload.count)
            bytes.append(UInt8(e.code))
            bytes.append(UInt8(end - start))
            bytes += e.payload[start..<end]
            start = end
        } while start < e.payload.count
    }

    /// DHCPv6: code and length, 16 bits each, then the value (RFC 8415 §21.1). Nothing for a value
    /// longer than 65,535 bytes, which no option can hold.
    static func encodeV6(_ e: DHCPOptionSet.Entry, into bytes: inout [UInt8]) {
        guard e.payload.count <= Int(UInt16.max) else { return }
        bytes.append(UInt8(e.code >> 8))
        bytes.append(UInt8(e.code & 0xFF))
        bytes.append(UInt8(e.payload.count >> 8))
        bytes.append(UInt8(e.payload.count & 0xFF))
        bytes += e.payload
    }
}

/// A ``DHCPOptionTable`` in one wire form (``DHCPOptionTable/unsafeV4Wire``,
/// ``DHCPOptionTable/unsafeV6Wire``): the position of a code and the ready option at a position,
/// without reference counting. Valid only while its table is held.
public struct DHCPOptionWire {
    @usableFromInline let small: UnsafeBufferPointer<UInt16>
    /// Codes in ascending order, one per position.
    public let codes: UnsafeBufferPointer<UInt16>
    /// Per position: `always_send`.
    public let alwaysSend: UnsafeBufferPointer<Bool>
    /// Bit `p` set: position `p` (below 64) is `always_send`.
    public let alwaysSendMask: UInt64
    @usableFromInline let starts: UnsafeBufferPointer<Int>
    @usableFromInline let bytes: UnsafeRawBufferPointer

    init(small: UnsafeBufferPointer<UInt16>, codes: UnsafeBufferPointer<UInt16>, alwaysSend: UnsafeBufferPointer<Bool>,
         alwaysSendMask: UInt64, starts: UnsafeBufferPointer<Int>, bytes: UnsafeRawBufferPointer) {
        self.small = small
        self.codes = codes
        self.alwaysSend = alwaysSend
        self.alwaysSendMask = alwaysSendMask
        self.starts = starts
        self.bytes = bytes
    }

    /// The number of entries.
    @inlinable public var count: Int { codes.count }

    /// The position of the one-byte `code`, nil when absent.
    @inlinable @inline(__always)
    public func position(of code: UInt8) -> Int? {
        let p = Int(small[Int(code)])
        return p == 0 ? nil : p - 1
    }

    /// The position of `code`, nil when absent.
    @inlinable @inline(__always)
    public func position(of code: UInt16) -> Int? {
        if code < 256 { return position(of: UInt8(truncatingIfNeeded: code)) }
        var low = 0, high = codes.count
        while low < high {
            let mid = (low + high) / 2
            let c = codes[mid]
            if c == code { return mid }
            if c < code { low = mid + 1 } else { high = mid }
        }
        return nil
    }

    /// The option at `position` ready for the wire (header included; empty when this form cannot
    /// carry it).
    @inlinable @inline(__always)
    public func option(at position: Int) -> UnsafeRawBufferPointer {
        let start = starts[position], end = starts[position &+ 1]
        return UnsafeRawBufferPointer(start: bytes.baseAddress.map { $0 + start }, count: end &- start)
    }
}

/// What a reply needs of the configured options, whether merged ahead (``DHCPOptionTable``) or
/// looked up level by level (``DHCPOptionLevels``, for a reservation with options of its own).
/// A handle names one winning value; it is valid only for the source that gave it.
public protocol DHCPOptionSource {
    /// The winning value of `code`, nil when no level sets it.
    func handle(of code: UInt16) -> Int?
    func isAlwaysSend(_ handle: Int) -> Bool
    func valueCount(_ handle: Int) -> Int
    func withValue<R>(_ handle: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R
    /// Calls `body` with the code and handle of every winning value, ascending code order, until it
    /// returns false.
    func forEachValue(_ body: (UInt16, Int) -> Bool)
    /// Calls `body` with the code and handle of every `always_send` winner, ascending code order,
    /// until it returns false.
    func forEachAlwaysSend(_ body: (UInt16, Int) -> Bool)
    /// The lease time of the most specific level that sets one (nil: the top level's).
    var leaseTime: UInt32? { get }
    var hasNoEntries: Bool { get }
}

extension DHCPOptionTable: DHCPOptionSource {
    @inlinable @inline(__always)
    public func handle(of code: UInt16) -> Int? { position(of: code) }
    @inlinable @inline(__always)
    public func isAlwaysSend(_ handle: Int) -> Bool { alwaysSend[handle] }
    @inlinable @inline(__always)
    public func valueCount(_ handle: Int) -> Int { valueCount(at: handle) }
    @inlinable @inline(__always)
    public func withValue<R>(_ handle: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R { withValue(at: handle, body) }
    @inlinable @inline(__always)
    public func forEachValue(_ body: (UInt16, Int) -> Bool) {
        var i = 0
        while i < codes.count {
            if !body(codes[i], i) { return }
            i += 1
        }
    }
    @inlinable @inline(__always)
    public func forEachAlwaysSend(_ body: (UInt16, Int) -> Bool) {
        for p in alwaysSendPositions where !body(codes[p], p) { return }
    }
    @inlinable
    public var hasNoEntries: Bool { codes.isEmpty }
}

extension DHCPOptionSet {
    /// The position in ``entries`` of `code`, nil when absent (binary search; no copy).
    @inlinable
    public func position(of code: UInt16) -> Int? {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            let c = entries[mid].code
            if c == code { return mid }
            if c < code { low = mid + 1 } else { high = mid }
        }
        return nil
    }
}

extension DHCPOptionLevels: DHCPOptionSource {
    // A handle is level × 2³² + position (level 0 reservation, 1 subnet, 2 top).
    @inlinable
    func level(_ n: Int) -> DHCPOptionSet { n == 0 ? reservation : n == 1 ? subnet : top }

    @inlinable
    public func handle(of code: UInt16) -> Int? {
        if let p = reservation.position(of: code) { return p }
        if let p = subnet.position(of: code) { return 1 << 32 | p }
        if let p = top.position(of: code) { return 2 << 32 | p }
        return nil
    }
    @inlinable
    public func isAlwaysSend(_ handle: Int) -> Bool { level(handle >> 32).entries[handle & 0xFFFF_FFFF].alwaysSend }
    @inlinable
    public func valueCount(_ handle: Int) -> Int { level(handle >> 32).entries[handle & 0xFFFF_FFFF].payload.count }
    @inlinable
    public func withValue<R>(_ handle: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        level(handle >> 32).entries[handle & 0xFFFF_FFFF].payload.withUnsafeBytes(body)
    }
    @inlinable
    public func forEachValue(_ body: (UInt16, Int) -> Bool) {
        let r = reservation.entries, s = subnet.entries, t = top.entries
        var i = 0, j = 0, k = 0
        while i < r.count || j < s.count || k < t.count {
            let cr = i < r.count ? Int(r[i].code) : Int.max
            let cs = j < s.count ? Int(s[j].code) : Int.max
            let ct = k < t.count ? Int(t[k].code) : Int.max
            let code = min(cr, cs, ct)
            let handle = cr == code ? i : cs == code ? 1 << 32 | j : 2 << 32 | k
            if !body(UInt16(code), handle) { return }
            if cr == code { i += 1 }
            if cs == code { j += 1 }
            if ct == code { k += 1 }
        }
    }
    @inlinable
    public func forEachAlwaysSend(_ body: (UInt16, Int) -> Bool) {
        forEachValue { code, handle in isAlwaysSend(handle) ? body(code, handle) : true }
    }
}

