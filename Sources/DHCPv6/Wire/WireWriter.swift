import ShadowCore

/// Writes big-endian fields into a caller-provided buffer. Never traps on a full buffer: the first
/// write that does not fit sets ``overflowed`` and every later write is ignored, so an encoder
/// checks once at the end.
struct WireWriter {
    let out: UnsafeMutableRawBufferPointer
    private(set) var position = 0
    private(set) var overflowed = false

    init(_ out: UnsafeMutableRawBufferPointer) { self.out = out }

    /// Claims `n` bytes and returns their offset, or nil (and marks overflow) when they do not fit.
    @inline(__always)
    private mutating func claim(_ n: Int) -> Int? {
        guard !overflowed, out.count - position >= n else {
            overflowed = true
            return nil
        }
        defer { position += n }
        return position
    }

    /// Bytes that are already whole options (a configured option ready for the wire): one copy.
    @inline(__always)
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        guard !overflowed, out.count &- position >= n else {
            overflowed = true
            return
        }
        if let from = bytes.baseAddress, let to = out.baseAddress { (to + position).copyMemory(from: from, byteCount: n) }
        position &+= n
    }

    @inline(__always)
    /// The bytes written in `range` (valid until they are written again).
    func written(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(out)[range])
    }

    @inline(__always)
    mutating func u8(_ v: UInt8) {
        guard let at = claim(1) else { return }
        out[at] = v
    }

    @inline(__always)
    mutating func u16(_ v: UInt16) {
        guard let at = claim(2) else { return }
        out.storeBytes(of: v.bigEndian, toByteOffset: at, as: UInt16.self)
    }

    @inline(__always)
    mutating func u24(_ v: UInt32) {
        guard let at = claim(3) else { return }
        out[at] = UInt8(truncatingIfNeeded: v >> 16)
        out[at + 1] = UInt8(truncatingIfNeeded: v >> 8)
        out[at + 2] = UInt8(truncatingIfNeeded: v)
    }

    @inline(__always)
    mutating func u32(_ v: UInt32) {
        guard let at = claim(4) else { return }
        out.storeBytes(of: v.bigEndian, toByteOffset: at, as: UInt32.self)
    }

    @inline(__always)
    mutating func address(_ a: IPv6Address) {
        guard let at = claim(16) else { return }
        out.storeBytes(of: a.high.bigEndian, toByteOffset: at, as: UInt64.self)
        out.storeBytes(of: a.low.bigEndian, toByteOffset: at + 8, as: UInt64.self)
    }

    /// Copies `range` of `source` (a received datagram).
    mutating func bytes(_ source: UnsafeRawBufferPointer, _ range: Range<Int>) {
        guard let at = claim(range.count), !range.isEmpty else { return }
        UnsafeMutableRawBufferPointer(rebasing: out[at..<(at + range.count)])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[range]))
    }

    /// Copies a byte array (server identifier).
    mutating func bytes(_ source: [UInt8]) {
        source.withUnsafeBytes { bytes($0, 0..<$0.count) }
    }

    /// Copies a static string's UTF-8 bytes.
    mutating func text(_ s: StaticString) {
        bytes(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount), 0..<s.utf8CodeUnitCount)
    }

    /// Writes an option header with a placeholder length; pass the result to ``endOption(_:)``.
    @inline(__always)
    mutating func beginOption(_ code: UInt16) -> Int {
        let start = position
        u16(code)
        u16(0)
        return start
    }

    /// Patches the length of the option started at `start` to cover everything written since.
    @inline(__always)
    mutating func endOption(_ start: Int) {
        guard !overflowed else { return }
        let length = position - start - DHCPv6Wire.optionHeaderLength
        guard length <= Int(UInt16.max) else {
            overflowed = true
            return
        }
        out.storeBytes(of: UInt16(length).bigEndian, toByteOffset: start + 2, as: UInt16.self)
    }

    /// A whole option whose payload is a range of the received datagram.
    mutating func option(_ code: UInt16, copying range: Range<Int>, of source: UnsafeRawBufferPointer) {
        let start = beginOption(code)
        bytes(source, range)
        endOption(start)
    }
}
