/// JSON white space (space, tab, line feed, carriage return), as ``JSONReader`` and the plain-entry
/// scanner skip it.
enum JSONWhitespace {
    /// The offset of the first byte at or after `offset` that is not white space (`bytes.count`
    /// when there is none). After each white-space byte a run of spaces — indentation — is
    /// skipped eight bytes at a time.
    @inline(__always)
    static func end(in bytes: UnsafeRawBufferPointer, from offset: Int) -> Int {
        var offset = offset
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return offset
            }
            while offset + 8 <= bytes.count {
                let other = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                    ^ 0x2020_2020_2020_2020
                guard other == 0 else {
                    offset += other.trailingZeroBitCount / 8
                    break
                }
                offset += 8
            }
        }
        return offset
    }
}
