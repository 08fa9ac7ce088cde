extension JSONReader {
    /// Reads a string value or field name: every escape of RFC 8259 §7, surrogate pairs joined,
    /// control characters and invalid UTF-8 rejected.
    public mutating func readString() throws(JSONSyntaxError) -> String {
        skipWhitespace()
        let open = offset
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
            throw error("expected a string")
        }
        offset += 1
        let start = offset
        var ascii = true
        while offset < bytes.count {
            let b = bytes[offset]
            if b == UInt8(ascii: "\"") {
                let text = UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
                offset += 1
                if ascii { return String(decoding: text, as: UTF8.self) }
                guard let s = String(validating: text, as: UTF8.self) else {
                    throw error("invalid UTF-8 in string", at: open)
                }
                return s
            }
            if b == UInt8(ascii: "\\") { return try readEscapedString(open: open, start: start) }
            if b < 0x20 { throw error("control character \(JSONReader.describe(b)) in string; escape it") }
            if b >= 0x80 { ascii = false }
            offset += 1
        }
        throw error("unterminated string", at: open)
    }

    /// The slow path, from the first backslash on: decodes into a scratch buffer.
    private mutating func readEscapedString(open: Int, start: Int) throws(JSONSyntaxError) -> String {
        var out = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<offset]))
        while offset < bytes.count {
            let b = bytes[offset]
            switch b {
            case UInt8(ascii: "\""):
                offset += 1
                guard let s = String(validating: out, as: UTF8.self) else {
                    throw error("invalid UTF-8 in string", at: open)
                }
                return s
            case UInt8(ascii: "\\"):
                try readEscape(into: &out)
            case 0..<0x20:
                throw error("control character \(JSONReader.describe(b)) in string; escape it")
            default:
                out.append(b)
                offset += 1
            }
        }
        throw error("unterminated string", at: open)
    }

    /// Decodes one escape sequence starting at the backslash.
    private mutating func readEscape(into out: inout [UInt8]) throws(JSONSyntaxError) {
        let escapeStart = offset
        offset += 1
        guard let c = peekByte else { throw error("unterminated string") }
        offset += 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(c)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            let scalar = try readUnicodeEscape(escapeStart: escapeStart)
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            throw error("invalid escape sequence '\\\(Character(Unicode.Scalar(c)))'", at: escapeStart)
        }
    }

    /// `XXXX` after `\u`, joining a high surrogate with the `\uXXXX` low surrogate that must follow.
    private mutating func readUnicodeEscape(escapeStart: Int) throws(JSONSyntaxError) -> Unicode.Scalar {
        let unit = try readHex4()
        switch unit {
        case 0xD800...0xDBFF:
            guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"),
                  bytes[offset + 1] == UInt8(ascii: "u") else {
                throw error("unpaired high surrogate \\u\(JSONReader.hex4(unit))", at: escapeStart)
            }
            offset += 2
            let low = try readHex4()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw error("high surrogate \\u\(JSONReader.hex4(unit)) not followed by a low surrogate",
                            at: escapeStart)
            }
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!
        case 0xDC00...0xDFFF:
            throw error("unpaired low surrogate \\u\(JSONReader.hex4(unit))", at: escapeStart)
        default:
            return Unicode.Scalar(unit)!
        }
    }

    private mutating func readHex4() throws(JSONSyntaxError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let b = peekByte, let d = hexValue(b) else { throw error("expected 4 hex digits after '\\u'") }
            v = v << 4 | UInt32(d)
            offset += 1
        }
        return v
    }

    static func hex4(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }
}

/// A string value as found in the input: the raw bytes when it has no escapes and is ASCII
/// (no copy), otherwise the decoded text.
enum JSONStringToken {
    case raw(UnsafeRawBufferPointer)
    case decoded(String)

    var string: String {
        switch self {
        case .raw(let b): String(decoding: b, as: UTF8.self)
        case .decoded(let s): s
        }
    }
}

extension JSONReader {
    /// Like ``readString()`` but without building a `String` for plain ASCII values.
    ///
    /// The scan for the closing quote reads eight bytes at a time: one word says whether any of
    /// them is a quote, a backslash, a control character or non-ASCII, and the lowest such byte is
    /// exact, so the first one decides as in a byte-by-byte loop.
    mutating func readStringToken() throws(JSONSyntaxError) -> JSONStringToken {
        skipWhitespace()
        let open = offset
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw error("expected a string") }
        var i = offset + 1
        while i + 8 <= bytes.count {
            let special = JSONReader.specialBytes(bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            guard special != 0 else {
                i += 8
                continue
            }
            i += special.trailingZeroBitCount / 8
            break
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                offset = i + 1
                return .raw(UnsafeRawBufferPointer(rebasing: bytes[(open + 1)..<i]))
            }
            // One unsigned compare catches both control characters (< 0x20) and non-ASCII (>= 0x80).
            if b == UInt8(ascii: "\\") || b &- 0x20 >= 0x60 { break }
            i += 1
        }
        return .decoded(try readString())
    }

    /// The high bit of each byte of `word` (in memory order, little-endian) that is `"`, `\`,
    /// below 0x20 or at least 0x80. Bits above the lowest set one may be false alarms (a borrow
    /// from the byte below); the lowest one is exact.
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        let v = UInt64(littleEndian: word)
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let quote = v ^ (ones &* UInt64(UInt8(ascii: "\"")))
        let backslash = v ^ (ones &* UInt64(UInt8(ascii: "\\")))
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        let control = (v &- ones &* 0x20) & ~v
        return (zeroQuote | zeroBackslash | control | v) & highs
    }
}
