import ShadowCore

/// Bounds-unchecked big-endian loads; callers have checked the range.
extension UnsafeRawBufferPointer {
    @inline(__always)
    func u8(_ at: Int) -> UInt8 { self[at] }

    @inline(__always)
    func u16(_ at: Int) -> UInt16 { UInt16(self[at]) << 8 | UInt16(self[at + 1]) }

    @inline(__always)
    func u24(_ at: Int) -> UInt32 { UInt32(self[at]) << 16 | UInt32(self[at + 1]) << 8 | UInt32(self[at + 2]) }

    @inline(__always)
    func u32(_ at: Int) -> UInt32 { loadUnaligned(fromByteOffset: at, as: UInt32.self).bigEndian }

    @inline(__always)
    func u64(_ at: Int) -> UInt64 { loadUnaligned(fromByteOffset: at, as: UInt64.self).bigEndian }

    /// Sixteen bytes at `at` as an address.
    @inline(__always)
    func ipv6(_ at: Int) -> IPv6Address { IPv6Address(high: u64(at), low: u64(at + 8)) }

    /// A copy of the bytes in `range` (for values that outlive the datagram).
    func bytes(_ range: Range<Int>) -> [UInt8] { Array(self[range]) }

    /// A copy of the bytes in `range` that allocates nothing when it is short.
    func inlineBytes(_ range: Range<Int>) -> InlineBytes { InlineBytes(UnsafeRawBufferPointer(rebasing: self[range])) }

    /// Whether the bytes in `range` equal `other`.
    func equals(_ range: Range<Int>, _ other: [UInt8]) -> Bool {
        guard range.count == other.count else { return false }
        return other.withUnsafeBytes { o in
            var i = 0
            while i < o.count {
                if self[range.lowerBound + i] != o[i] { return false }
                i += 1
            }
            return true
        }
    }
}

