/// Reads little-endian fields from a byte buffer with bounds checks; every shortfall is an error
/// that names the offset. Callers check ``isAtEnd`` to reject trailing bytes.
public struct ByteReader {
    /// Why a read failed.
    public enum Failure: Error, Equatable, Sendable {
        /// `needed` more bytes were required at `offset`.
        case truncated(offset: Int, needed: Int)
        /// A field at `offset` has a value that is not allowed.
        case invalid(field: String, offset: Int)
    }

    public let buffer: UnsafeRawBufferPointer
    public private(set) var offset: Int

    public init(_ buffer: UnsafeRawBufferPointer, offset: Int = 0) {
        self.buffer = buffer
        self.offset = offset
    }

    public var remaining: Int { buffer.count - offset }
    public var isAtEnd: Bool { offset == buffer.count }

    @inline(__always)
    private mutating func take<T: FixedWidthInteger>(_: T.Type) throws(Failure) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw .truncated(offset: offset, needed: size - remaining) }
        let v = T(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += size
        return v
    }

    public mutating func u8() throws(Failure) -> UInt8 { try take(UInt8.self) }
    public mutating func u16() throws(Failure) -> UInt16 { try take(UInt16.self) }
    public mutating func u32() throws(Failure) -> UInt32 { try take(UInt32.self) }
    public mutating func u64() throws(Failure) -> UInt64 { try take(UInt64.self) }

    /// The next `count` bytes, as a view into the buffer.
    public mutating func bytes(_ count: Int) throws(Failure) -> UnsafeRawBufferPointer {
        guard count >= 0, remaining >= count else { throw .truncated(offset: offset, needed: count - remaining) }
        let slice = UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + count)])
        offset += count
        return slice
    }

    /// A u16 byte count then that many bytes of valid UTF-8.
    public mutating func string16(field: String) throws(Failure) -> String {
        let start = offset
        let count = Int(try u16())
        let raw = try bytes(count)
        guard let s = String(validating: raw, as: UTF8.self) else { throw .invalid(field: field, offset: start) }
        return s
    }

    /// Fails with `.invalid` for `field` at the current offset.
    public func invalid(_ field: String, at position: Int? = nil) -> Failure {
        .invalid(field: field, offset: position ?? offset)
    }
}
