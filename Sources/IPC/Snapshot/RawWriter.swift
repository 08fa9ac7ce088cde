/// Writes little-endian fields into preallocated memory (a snapshot mapping). The caller sized
/// the memory exactly, so running past the end is a programming error (precondition).
struct RawWriter {
    let base: UnsafeMutableRawPointer
    let capacity: Int
    private(set) var offset = 0

    init(_ buffer: UnsafeMutableRawBufferPointer) {
        base = buffer.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 1)!
        capacity = buffer.count
    }

    @inline(__always)
    private mutating func put<T: FixedWidthInteger>(_ v: T) {
        let size = MemoryLayout<T>.size
        precondition(offset + size <= capacity, "snapshot writer overflow")
        base.storeBytes(of: v.littleEndian, toByteOffset: offset, as: T.self)
        offset += size
    }

    mutating func u8(_ v: UInt8) { put(v) }
    mutating func u16(_ v: UInt16) { put(v) }
    mutating func u32(_ v: UInt32) { put(v) }
    mutating func u64(_ v: UInt64) { put(v) }

    mutating func raw(_ bytes: UnsafeRawBufferPointer) {
        precondition(offset + bytes.count <= capacity, "snapshot writer overflow")
        if let source = bytes.baseAddress { (base + offset).copyMemory(from: source, byteCount: bytes.count) }
        offset += bytes.count
    }

    mutating func raw(_ bytes: [UInt8]) { bytes.withUnsafeBytes { raw($0) } }

    /// u16 length + UTF-8 bytes.
    mutating func string16(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            u16(UInt16(utf8.count))
            raw(UnsafeRawBufferPointer(utf8))
        }
    }
}
