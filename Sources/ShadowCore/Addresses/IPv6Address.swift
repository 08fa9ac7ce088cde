/// An IPv6 address as two host-order 64-bit halves.
public struct IPv6Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public static let any = IPv6Address(high: 0, low: 0)
    public static let loopback = IPv6Address(high: 0, low: 1)

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Reads sixteen bytes in network order.
    public init<C: Collection>(networkBytes bytes: C) where C.Element == UInt8 {
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
    public subscript(byte i: Int) -> UInt8 {
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
    public init?(_ text: Substring) {
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawDoubleColon = false
        if let range = text.firstRange(of: "::") {
            sawDoubleColon = true
            let before = text[..<range.lowerBound]
            let after = text[range.upperBound...]
            if after.contains("::") { return nil }
            guard let h = IPv6Address.parseGroups(before, allowIPv4: false),
                  let t = IPv6Address.parseGroups(after, allowIPv4: true) else { return nil }
            head = h; tail = t
            if head.count + tail.count > 7 { return nil }
        } else {
            guard let all = IPv6Address.parseGroups(text, allowIPv4: true), all.count == 8 else { return nil }
            head = all
        }
        var groups = head
        if sawDoubleColon {
            groups += [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        self.init(groups: groups)
    }

    public init?(_ text: String) { self.init(Substring(text)) }

    /// Parses colon-separated hex groups; an empty string is zero groups. The last group may be a
    /// dotted IPv4 address (two groups) when `allowIPv4`.
    private static func parseGroups(_ text: Substring, allowIPv4: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let pieces = text.split(separator: ":", omittingEmptySubsequences: false)
        var out: [UInt16] = []
        for (i, piece) in pieces.enumerated() {
            if piece.contains(".") {
                guard allowIPv4, i == pieces.count - 1, let v4 = IPv4Address(piece) else { return nil }
                out.append(UInt16(truncatingIfNeeded: v4.value >> 16))
                out.append(UInt16(truncatingIfNeeded: v4.value))
                continue
            }
            guard (1...4).contains(piece.utf8.count), let v = UInt16(piece, radix: 16),
                  piece.utf8.allSatisfy({ isHexDigit($0) }) else { return nil }
            out.append(v)
        }
        return out.count <= 8 ? out : nil
    }

    public var isLinkLocal: Bool { high >> 54 == 0x3FA }  // fe80::/10
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
