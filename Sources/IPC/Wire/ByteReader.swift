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
        guard let s = ByteReader.utf8String(raw) else { throw .invalid(field: field, offset: start) }
        return s
    }

    /// `raw` as a String if it is valid UTF-8. ASCII (the common case) takes the standard
    /// library's specialised decoding path; anything else is decoded with repair and accepted
    /// only if nothing had to be repaired (the generic `String(validating:)` is several times
    /// slower here).
    static func utf8String(_ raw: UnsafeRawBufferPointer) -> String? {
        raw.withMemoryRebound(to: UInt8.self) { bytes -> String? in
            var ascii = true
            for b in bytes where b >= 0x80 { ascii = false; break }
            let s = String(decoding: bytes, as: UTF8.self)
            if ascii { return s }
            return s.utf8.elementsEqual(bytes) ? s : nil
        }
    }

    /// Fails with `.invalid` for `field` at the current offset.
    public func invalid(_ field: String, at position: Int? = nil) -> Failure {
        .invalid(field: field, offset: position ?? offset)
    }
}
