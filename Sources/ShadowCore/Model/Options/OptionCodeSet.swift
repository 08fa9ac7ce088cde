/// A set of one-byte option codes, on the stack (four words): which codes a DHCPv4 option 55
/// listed.
@frozen
public struct OptionCodeSet {
    @usableFromInline var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    @inlinable
    public init() {}

    @inlinable @inline(__always)
    public func contains(_ code: UInt8) -> Bool {
        withUnsafeBytes(of: words) { $0.load(fromByteOffset: Int(code >> 6) &* 8, as: UInt64.self) }
            & (1 &<< UInt64(code & 63)) != 0
    }

    /// Adds `code`; false when it was already there.
    @inlinable @inline(__always)
    public mutating func insert(_ code: UInt8) -> Bool {
        let offset = Int(code >> 6) &* 8, bit: UInt64 = 1 &<< UInt64(code & 63)
        return withUnsafeMutableBytes(of: &words) { w in
            let word = w.load(fromByteOffset: offset, as: UInt64.self)
            guard word & bit == 0 else { return false }
            w.storeBytes(of: word | bit, toByteOffset: offset, as: UInt64.self)
            return true
        }
    }
}
