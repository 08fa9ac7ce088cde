import ShadowCore

/// Appends DHCPv4 fields and options to a caller-provided buffer.
///
/// Writing never traps: once something does not fit, the writer records the overflow, ignores
/// further writes, and `finish` returns nil.
struct DHCPv4ReplyWriter {
    private let buffer: UnsafeMutableRawBufferPointer
    private(set) var position = 0
    private(set) var overflowed = false

    init(_ buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

    /// Reserves `count` bytes, returning where they start, or nil after an overflow.
    @inline(__always)
    private mutating func claim(_ count: Int) -> Int? {
        guard !overflowed, count <= buffer.count - position else { overflowed = true; return nil }
        defer { position += count }
        return position
    }

    mutating func byte(_ b: UInt8) {
        if let at = claim(1) { buffer[at] = b }
    }

    mutating func uint16(_ v: UInt16) {
        if let at = claim(2) { buffer.storeBytes(of: v.bigEndian, toByteOffset: at, as: UInt16.self) }
    }

    mutating func uint32(_ v: UInt32) {
        if let at = claim(4) { buffer.storeBytes(of: v.bigEndian, toByteOffset: at, as: UInt32.self) }
    }

    mutating func address(_ a: IPv4Address) { uint32(a.value) }

    mutating func zeros(_ count: Int) {
        if let at = claim(count), count > 0 {
            UnsafeMutableRawBufferPointer(rebasing: buffer[at..<(at + count)]).initializeMemory(as: UInt8.self,
                                                                                                 repeating: 0)
        }
    }

    mutating func copy(_ bytes: UnsafeRawBufferPointer) {
        if let at = claim(bytes.count), bytes.count > 0 {
            UnsafeMutableRawBufferPointer(rebasing: buffer[at..<(at + bytes.count)]).copyMemory(from: bytes)
        }
    }

    /// Bytes that are already whole options (a configured option ready for the wire): one copy.
    @inline(__always)
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        guard !overflowed, n <= buffer.count &- position else {
            overflowed = true
            return
        }
        if let from = bytes.baseAddress, let to = buffer.baseAddress { (to + position).copyMemory(from: from, byteCount: n) }
        position &+= n
    }

    /// The bytes written from `start` to the current position (valid until the next write).
    func written(from start: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: buffer.baseAddress.map { $0 + start }, count: position &- start)
    }

    /// An option with a one-byte value.
    mutating func option(_ code: UInt8, byte value: UInt8) {
        byte(code); byte(1); byte(value)
    }

    /// An option with a four-byte value.
    mutating func option(_ code: UInt8, uint32 value: UInt32) {
        byte(code); byte(4); uint32(value)
    }

    /// An option with an opaque payload of at most 255 bytes.
    mutating func option(_ code: UInt8, payload: UnsafeRawBufferPointer) {
        guard payload.count <= 255 else { overflowed = true; return }
        byte(code); byte(UInt8(payload.count)); copy(payload)
    }

    /// An option whose value may exceed 255 bytes: split into consecutive instances of `code` of at
    /// most 255 bytes each, which the receiver concatenates (RFC 3396 §5). An empty value is one
    /// instance of length 0. `chunk` (at most 255) is the largest instance: 252 for a list of
    /// addresses keeps every instance whole addresses, as for the `dns_v4` list, for clients that
    /// read instances separately.
    mutating func option(_ code: UInt8, long payload: UnsafeRawBufferPointer, chunk: Int = 255) {
        if payload.count <= chunk {  // one instance: one claim, one copy
            guard let at = claim(2 + payload.count) else { return }
            buffer[at] = code
            buffer[at + 1] = UInt8(truncatingIfNeeded: payload.count)
            if payload.count > 0 {
                UnsafeMutableRawBufferPointer(rebasing: buffer[(at + 2)..<(at + 2 + payload.count)]).copyMemory(from: payload)
            }
            return
        }
        var start = 0
        repeat {
            let end = min(start + chunk, payload.count)
            byte(code); byte(UInt8(end - start))
            copy(UnsafeRawBufferPointer(rebasing: payload[start..<end]))
            start = end
        } while start < payload.count
    }

    /// The bytes ``option(_:long:)`` writes for a value of `count` bytes.
    @inline(__always)
    static func encodedLength(ofValue count: Int) -> Int {
        count == 0 ? 2 : count + 2 * ((count + 254) / 255)
    }

    /// A list of addresses, split into several instances of `code` of at most 63 addresses each
    /// (RFC 3396). Nothing is written for an empty list.
    mutating func option(_ code: UInt8, addresses: [IPv4Address]) {
        var start = 0
        while start < addresses.count {
            let end = min(start + 63, addresses.count)
            byte(code); byte(UInt8((end - start) * 4))
            for a in addresses[start..<end] { address(a) }
            start = end
        }
    }

    /// Writes End, pads with zeros to `minimumLength`, and returns the total length, or nil when
    /// anything did not fit.
    mutating func finish(minimumLength: Int) -> Int? {
        byte(DHCPv4Option.end)
        if position < minimumLength { zeros(minimumLength - position) }
        return overflowed ? nil : position
    }
}
