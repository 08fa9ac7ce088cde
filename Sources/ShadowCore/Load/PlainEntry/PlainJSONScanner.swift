/// The few JSON steps a reservation entry in its plain shape needs, over raw bytes, with no error
/// reporting: every step says only yes or no. A "no" never means the input is wrong — only that it
/// is not the plain shape — and the caller then reads the entry again with ``JSONReader``, which
/// has the final word and the messages.
///
/// Plain means: white space is space, tab, CR or LF; strings are ASCII without escapes or control
/// characters; values are such strings, `null` or (for the relay object) an object of them.
struct PlainJSONScanner {
    let bytes: UnsafeRawBufferPointer
    /// Offset of the next unread byte.
    var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        self.bytes = bytes
        self.offset = offset
    }

    /// Skips white space. Most calls find none, one space, or a line break and indentation.
    @inline(__always)
    mutating func skipWhitespace() {
        guard offset < bytes.count, bytes[offset] <= 0x20 else { return }
        // The one space after a name's `:`: no call.
        if bytes[offset] == 0x20, offset + 1 < bytes.count, bytes[offset + 1] > 0x20 {
            offset += 1
            return
        }
        skipWhitespaceRun()
    }

    /// White space from a byte that may be white space on: after each white-space byte, a run of
    /// spaces (indentation) is skipped eight bytes at a time.
    private mutating func skipWhitespaceRun() {
        offset = JSONWhitespace.end(in: bytes, from: offset)
    }

    /// Consumes `byte` after white space, if it comes next.
    @inline(__always)
    mutating func take(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == byte else { return false }
        offset += 1
        return true
    }

    /// Whether the next byte after white space is `byte` (not consumed).
    @inline(__always)
    mutating func peek(_ byte: UInt8) -> Bool {
        skipWhitespace()
        return offset < bytes.count && bytes[offset] == byte
    }

    /// A plain string after white space: its bytes between the quotes (consumed), or nil when the
    /// next value is not a string or the string has an escape, a control byte or non-ASCII text.
    /// The scan for the closing quote reads a word at a time, like ``JSONReader/readStringToken()``.
    @inline(__always)
    mutating func plainString() -> UnsafeRawBufferPointer? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = offset
        var i = start
        while i + 8 <= bytes.count {
            let special = JSONReader.specialBytes(bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            if special != 0 {
                i += special.trailingZeroBitCount / 8
                break
            }
            i += 8
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                offset = i + 1
                return UnsafeRawBufferPointer(rebasing: bytes[start..<i])
            }
            if b == UInt8(ascii: "\\") || b &- 0x20 >= 0x60 { return nil }
            i += 1
        }
        return nil
    }

    /// Consumes `null` after white space, if it comes next.
    @inline(__always)
    mutating func takeNull() -> Bool {
        skipWhitespace()
        guard offset + 4 <= bytes.count,
              bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self) == PlainJSONScanner.null else { return false }
        offset += 4
        return true
    }

    /// `null` as it lies in memory.
    private static let null = UInt32(littleEndian: 0x6C6C_756E)
}
