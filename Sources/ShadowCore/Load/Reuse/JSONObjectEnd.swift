/// Finds where one JSON object ends without reading it: only strings (with their escapes) and
/// nesting are followed. Nothing is validated — bytes that are not JSON give some end or none.
/// The memo relies on that being enough: skipped bytes that hash to a memoized entry are the
/// bytes of an entry that parsed cleanly before; any other entry is parsed in full, from its
/// start, by the reader that reports errors.
enum JSONObjectEnd {
    /// The offset just after the `}` that closes the `{` at `start`, or nil when `start` is not a
    /// `{` or the bytes end first.
    static func end(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        let n = bytes.count
        guard start < n, bytes[start] == UInt8(ascii: "{") else { return nil }
        var depth = 0
        var i = start
        while i < n {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                guard let after = stringEnd(in: bytes, from: i + 1) else { return nil }
                i = after
                continue
            }
            if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                depth += 1
            } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return i + 1 }
            }
            i += 1
        }
        return nil
    }

    /// The offset after the `"` that closes a string whose text starts at `from`; eight bytes at a
    /// time up to the first quote, backslash or other byte ``JSONReader/specialBytes(_:)`` flags.
    @inline(__always)
    static func stringEnd(in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        let n = bytes.count
        var i = from
        while true {
            while i + 8 <= n {
                let special = JSONReader.specialBytes(bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                if special != 0 {
                    i += special.trailingZeroBitCount / 8
                    break
                }
                i += 8
            }
            guard i < n else { return nil }
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { return i + 1 }
            // An escape hides the byte after it; a control or non-ASCII byte is just text here.
            i += c == UInt8(ascii: "\\") ? 2 : 1
        }
    }
}
