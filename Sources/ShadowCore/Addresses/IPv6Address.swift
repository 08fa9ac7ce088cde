/// An IPv6 address as two host-order 64-bit halves.
public struct IPv6Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public static let any = IPv6Address(high: 0, low: 0)
    public static let loopback = IPv6Address(high: 0, low: 1)

    @inlinable public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Reads sixteen bytes in network order.
    @inlinable public init<C: Collection>(networkBytes bytes: C) where C.Element == UInt8 {
        precondition(bytes.count == 16, "IPv6 address needs 16 bytes")
        var h: UInt64 = 0, l: UInt64 = 0
        for (i, b) in bytes.enumerated() {
            if i < 8 { h = h << 8 | UInt64(b) } else { l = l << 8 | UInt64(b) }
        }
        high = h; low = l
    }

    /// The sixteen bytes in network order.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            out[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i)))
            out[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i)))
        }
        return out
    }

    /// Byte `i` (0–15) in network order.
    @inlinable public subscript(byte i: Int) -> UInt8 {
        i < 8 ? UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i)))
              : UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i - 8)))
    }

    /// The eight 16-bit groups.
    public var groups: [UInt16] {
        (0..<8).map { i in
            i < 4 ? UInt16(truncatingIfNeeded: high >> (48 - 16 * UInt64(i)))
                  : UInt16(truncatingIfNeeded: low >> (48 - 16 * UInt64(i - 4)))
        }
    }

    public init(groups g: [UInt16]) {
        precondition(g.count == 8)
        var h: UInt64 = 0, l: UInt64 = 0
        for i in 0..<4 { h = h << 16 | UInt64(g[i]) }
        for i in 4..<8 { l = l << 16 | UInt64(g[i]) }
        high = h; low = l
    }

    /// Parses the textual forms of RFC 4291 §2.2 (full, `::`-compressed, trailing dotted IPv4).
    /// Zone identifiers are rejected.
    ///
    /// Byte-level: one pass over the UTF-8 bytes into eight groups on the stack, no allocation.
    public init?(_ text: Substring) {
        var text = text
        guard let parsed = text.withUTF8({ IPv6Address.parse($0) }) else { return nil }
        self = parsed
    }

    public init?(_ text: String) { self.init(Substring(text)) }

    /// At most 45 bytes; at most one `::`, which stands for at least one zero group; without it,
    /// exactly eight groups. Groups are 1–4 hex digits; the last group of the whole address (never
    /// one before `::`) may be a dotted IPv4 address counting as two.
    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> IPv6Address? {
        guard !b.isEmpty, b.count <= 45 else { return nil }
        let colon = UInt8(ascii: ":")
        var doubleColon = -1
        for i in 0..<(b.count - 1) where b[i] == colon && b[i + 1] == colon {
            if doubleColon >= 0 && i >= doubleColon + 2 { return nil }   // a second "::"
            if doubleColon < 0 { doubleColon = i }
        }
        return withUnsafeTemporaryAllocation(of: UInt16.self, capacity: 8) { g -> IPv6Address? in
            g.initialize(repeating: 0)
            if doubleColon < 0 {
                guard parseGroups(b, 0..<b.count, allowIPv4: true, into: g, at: 0) == 8 else { return nil }
            } else {
                guard let head = parseGroups(b, 0..<doubleColon, allowIPv4: false, into: g, at: 0),
                      let tail = parseGroups(b, (doubleColon + 2)..<b.count, allowIPv4: true, into: g, at: head),
                      head + tail <= 7 else { return nil }
                // Move the tail to the end; the groups between are the zeros "::" stands for.
                for k in stride(from: tail - 1, through: 0, by: -1) {
                    let v = g[head + k]
                    g[head + k] = 0
                    g[8 - tail + k] = v
                }
            }
            var h: UInt64 = 0, l: UInt64 = 0
            for i in 0..<4 { h = h << 16 | UInt64(g[i]) }
            for i in 4..<8 { l = l << 16 | UInt64(g[i]) }
            return IPv6Address(high: h, low: l)
        }
    }

    /// Parses the colon-separated groups in `range` into `g` from `start`; an empty range is zero
    /// groups. Returns how many were written, or nil for a bad group or more than fit in eight.
    private static func parseGroups(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, allowIPv4: Bool,
                                    into g: UnsafeMutableBufferPointer<UInt16>, at start: Int) -> Int? {
        if range.isEmpty { return 0 }
        var count = start
        var pieceStart = range.lowerBound
        while true {
            var end = pieceStart
            var hasDot = false
            while end < range.upperBound && b[end] != UInt8(ascii: ":") {
                if b[end] == UInt8(ascii: ".") { hasDot = true }
                end += 1
            }
            if hasDot {
                guard allowIPv4, end == range.upperBound, count + 2 <= 8,
                      let v4 = IPv4Address.parseDottedQuad(UnsafeBufferPointer(rebasing: b[pieceStart..<end]))
                else { return nil }
                g[count] = UInt16(truncatingIfNeeded: v4 >> 16)
                g[count + 1] = UInt16(truncatingIfNeeded: v4)
                count += 2
            } else {
                guard (1...4).contains(end - pieceStart), count < 8 else { return nil }
                var v: UInt16 = 0
                for i in pieceStart..<end {
                    guard let d = hexValue(b[i]) else { return nil }
                    v = v << 4 | UInt16(d)
                }
                g[count] = v
                count += 1
            }
            if end == range.upperBound { return count - start }
            pieceStart = end + 1
        }
    }

    @inlinable public var isLinkLocal: Bool { high >> 54 == 0x3FA }  // fe80::/10
    public var isLoopback: Bool { self == .loopback }

    /// RFC 5952 text: lower case, the longest run of two or more zero groups compressed (the first
    /// on a tie), IPv4-mapped addresses as `::ffff:a.b.c.d`.
    public var description: String {
        let g = groups
        if high == 0 && low >> 32 == 0xFFFF {
            return "::ffff:" + IPv4Address(UInt32(truncatingIfNeeded: low)).description
        }
        var bestStart = -1, bestLen = 0, i = 0
        while i < 8 {
            if g[i] == 0 {
                var j = i
                while j < 8 && g[j] == 0 { j += 1 }
                if j - i > bestLen && j - i >= 2 { bestStart = i; bestLen = j - i }
                i = j
            } else { i += 1 }
        }
        func hex(_ range: Range<Int>) -> String {
            range.map { String(g[$0], radix: 16) }.joined(separator: ":")
        }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLen)..<8)
    }

    public static func < (lhs: IPv6Address, rhs: IPv6Address) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

/// An IPv6 prefix `address/length`. ``address`` holds what was written; ``network`` clears host bits.
public struct IPv6Prefix: Hashable, Sendable, CustomStringConvertible {
    public var address: IPv6Address
    public var prefixLength: UInt8

    public init(address: IPv6Address, prefixLength: UInt8) {
        precondition(prefixLength <= 128)
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses `addr/len`; the slash is mandatory and `len` is 0–128.
    public init?(_ text: String) {
        guard let slash = text.firstIndex(of: "/"),
              let addr = IPv6Address(text[..<slash]),
              let len = parsePrefixLength(text[text.index(after: slash)...], max: 128)
        else { return nil }
        self.init(address: addr, prefixLength: len)
    }

    /// The prefix with every bit beyond ``prefixLength`` cleared.
    public var network: IPv6Address {
        let n = UInt64(prefixLength)
        let hiMask: UInt64 = n >= 64 ? .max : (n == 0 ? 0 : .max << (64 - n))
        let loMask: UInt64 = n <= 64 ? 0 : (n == 128 ? .max : .max << (128 - n))
        return IPv6Address(high: address.high & hiMask, low: address.low & loMask)
    }

    public var hasHostBits: Bool { network != address }

    /// Whether `a` lies in this prefix (its first ``prefixLength`` bits equal the prefix's).
    @inlinable public func contains(_ a: IPv6Address) -> Bool {
        let n = UInt64(prefixLength)
        let hiMask: UInt64 = n >= 64 ? .max : (n == 0 ? 0 : .max << (64 - n))
        let loMask: UInt64 = n <= 64 ? 0 : (n == 128 ? .max : .max << (128 - n))
        return (a.high ^ address.high) & hiMask == 0 && (a.low ^ address.low) & loMask == 0
    }

    public var masked: IPv6Prefix { IPv6Prefix(address: network, prefixLength: prefixLength) }

    public var description: String { "\(address)/\(prefixLength)" }
}

@inline(__always)
func isHexDigit(_ b: UInt8) -> Bool {
    (b >= 48 && b <= 57) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102)
}

@inline(__always)
func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case 48...57: return b - 48
    case 65...70: return b - 55
    case 97...102: return b - 87
    default: return nil
    }
}
