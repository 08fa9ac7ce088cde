/// Byte-level parsers for the common spellings of the reservation scalars, used on the hot path
/// of ``ReservationLoader`` before the general parsers of the model.
///
/// Each returns nil for anything it does not handle (dotted IPv4 inside IPv6, other MAC forms,
/// white space around a DUID, ...); the caller then asks the model's parser, which has the final
/// word. So a fast parser only has to be right when it says yes — tests compare the two.
enum FastScalars {
    static func ipv4(_ b: UnsafeRawBufferPointer) -> IPv4Address? {
        var result: UInt32 = 0, current: UInt32 = 0, digits = 0, dots = 0
        for c in b {
            if c == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                result = result << 8 | current
                dots += 1; current = 0; digits = 0
            } else {
                guard c >= 48 && c <= 57, !(digits == 1 && current == 0), digits < 3 else { return nil }
                current = current * 10 + UInt32(c - 48)
                digits += 1
                guard current <= 255 else { return nil }
            }
        }
        guard digits > 0, dots == 3 else { return nil }
        return IPv4Address(result << 8 | current)
    }

    /// Hex groups with at most one `::`, no embedded IPv4.
    static func ipv6(_ b: UnsafeRawBufferPointer) -> IPv6Address? {
        guard !b.isEmpty, b.count <= 39 else { return nil }
        var head: UInt128 = 0, tail: UInt128 = 0
        var headCount = 0, tailCount = 0, gap = false
        var i = 0
        if b[0] == UInt8(ascii: ":") {
            guard b.count >= 2, b[1] == UInt8(ascii: ":") else { return nil }
            gap = true
            i = 2
        }
        while i < b.count {
            // A group in 32 bits; only whole groups are shifted in 128.
            var v: UInt32 = 0, n = 0
            while i < b.count {
                let d = hexDigit(b[i])
                guard d < 16 else { break }
                guard n < 4 else { return nil }
                v = v << 4 | d; n += 1; i += 1
            }
            guard n > 0 else { return nil }
            if gap { tail = tail << 16 | UInt128(v); tailCount += 1 } else { head = head << 16 | UInt128(v); headCount += 1 }
            guard headCount + tailCount <= 8 else { return nil }
            if i == b.count { break }
            guard b[i] == UInt8(ascii: ":"), i + 1 < b.count else { return nil }
            i += 1
            if b[i] == UInt8(ascii: ":") {
                guard !gap else { return nil }
                gap = true
                i += 1
            }
        }
        if gap {
            guard headCount + tailCount <= 7 else { return nil }
        } else {
            guard headCount == 8 else { return nil }
        }
        let value = (headCount == 0 ? 0 : head << (16 * UInt128(8 - headCount))) | tail
        return IPv6Address(high: UInt64(truncatingIfNeeded: value >> 64), low: UInt64(truncatingIfNeeded: value))
    }

    /// The value of a hex digit, or 16 or more for any other byte (no optional, few branches).
    @inline(__always)
    static func hexDigit(_ c: UInt8) -> UInt32 {
        let digit = UInt32(c &- UInt8(ascii: "0"))
        if digit < 10 { return digit }
        // `| 0x20` makes 'A'...'F' 'a'...'f' and no other byte lands there.
        let letter = UInt32((c | 0x20) &- UInt8(ascii: "a"))
        return letter < 6 ? letter + 10 : 16
    }

    static func ipv6Prefix(_ b: UnsafeRawBufferPointer) -> IPv6Prefix? {
        var slash = b.count - 1
        while slash >= 0 && b[slash] != UInt8(ascii: "/") { slash -= 1 }
        guard slash >= 0 else { return nil }
        let lenBytes = UnsafeRawBufferPointer(rebasing: b[(slash + 1)...])
        guard !lenBytes.isEmpty, lenBytes.count <= 3, !(lenBytes.count > 1 && lenBytes[0] == 48) else { return nil }
        var len = 0
        for c in lenBytes {
            guard c >= 48 && c <= 57 else { return nil }
            len = len * 10 + Int(c - 48)
        }
        guard len <= 128, let a = ipv6(UnsafeRawBufferPointer(rebasing: b[..<slash])) else { return nil }
        return IPv6Prefix(address: a, prefixLength: UInt8(len))
    }

    /// `00-11-22-33-44-55`, `00:11:22:33:44:55` or `001122334455`.
    static func mac(_ b: UnsafeRawBufferPointer) -> MACAddress? {
        var v: UInt64 = 0
        switch b.count {
        case 12:
            for c in b {
                guard let d = hexValue(c) else { return nil }
                v = v << 4 | UInt64(d)
            }
        case 17:
            let sep = b[2]
            guard sep == UInt8(ascii: "-") || sep == UInt8(ascii: ":") else { return nil }
            for i in 0..<6 {
                guard i == 0 || b[i * 3 - 1] == sep,
                      let hi = hexValue(b[i * 3]), let lo = hexValue(b[i * 3 + 1]) else { return nil }
                v = v << 8 | UInt64(hi << 4 | lo)
            }
        default:
            return nil
        }
        return MACAddress(value: v)
    }

    /// Two-digit hex groups separated by `:` or `-` (the byte at index 2 decides), no white space.
    static func duid(_ b: UnsafeRawBufferPointer) -> DUID? {
        guard b.count >= 5, (b.count + 1) % 3 == 0, b.count <= DUID.maximumLength * 3 - 1 else { return nil }
        let sep = b[2]
        guard sep == UInt8(ascii: ":") || sep == UInt8(ascii: "-") else { return nil }
        var out = [UInt8]()
        out.reserveCapacity((b.count + 1) / 3)
        var i = 0
        while i < b.count {
            guard i == 0 || b[i - 1] == sep, let hi = hexValue(b[i]), let lo = hexValue(b[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 3
        }
        return DUID(bytes: out)
    }
}
