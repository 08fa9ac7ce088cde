import ShadowCore

/// Writes big-endian fields into a caller's buffer at a moving offset, allocating nothing. Writing
/// past the end traps: callers size their buffers for the largest packet they write.
public struct PacketWriter: ~Copyable {
    public let buffer: UnsafeMutableRawBufferPointer
    public private(set) var offset: Int

    public init(_ buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0) {
        self.buffer = buffer
        self.offset = offset
    }

    public mutating func u8(_ v: UInt8) {
        buffer[offset] = v
        offset += 1
    }

    public mutating func u16(_ v: UInt16) { u8(UInt8(v >> 8)); u8(UInt8(truncatingIfNeeded: v)) }

    public mutating func u32(_ v: UInt32) { u16(UInt16(v >> 16)); u16(UInt16(truncatingIfNeeded: v)) }

    public mutating func bytes(_ b: some Collection<UInt8>) { for x in b { u8(x) } }

    public mutating func bytes(_ b: UnsafeRawBufferPointer) {
        precondition(offset + b.count <= buffer.count, "packet does not fit")
        UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<(offset + b.count)]).copyMemory(from: b)
        offset += b.count
    }

    public mutating func ipv4(_ a: IPv4Address) { u32(a.value) }

    public mutating func ipv6(_ a: IPv6Address) {
        u32(UInt32(truncatingIfNeeded: a.high >> 32)); u32(UInt32(truncatingIfNeeded: a.high))
        u32(UInt32(truncatingIfNeeded: a.low >> 32)); u32(UInt32(truncatingIfNeeded: a.low))
    }

    public mutating func mac(_ m: MACAddress) { for i in 0..<6 { u8(m[byte: i]) } }

    public mutating func zeros(_ n: Int) { for _ in 0..<n { u8(0) } }

    /// Writes a DHCPv6 option header (code, length) and returns where the length is, for
    /// ``closeOption(lengthAt:)`` once the payload is written.
    public mutating func openOption(_ code: UInt16) -> Int {
        u16(code)
        let at = offset
        u16(0)
        return at
    }

    /// Patches the length written by ``openOption(_:)`` to cover everything written since.
    public func closeOption(lengthAt at: Int) {
        let length = offset - at - 2
        buffer[at] = UInt8(length >> 8)
        buffer[at + 1] = UInt8(truncatingIfNeeded: length)
    }
}

extension PacketWriter {
    /// Runs `write` over a fresh buffer of `capacity` bytes and returns what it wrote, for builders
    /// that hand out arrays.
    public static func array(capacity: Int, _ write: (inout PacketWriter) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            var w = PacketWriter(UnsafeMutableRawBufferPointer(buffer))
            write(&w)
            count = w.offset
        }
    }
}

/// Big-endian reads from a received datagram; every read is bounds-checked by the caller's
/// length checks and traps otherwise.
extension UnsafeRawBufferPointer {
    func wireU16(_ at: Int) -> UInt16 { UInt16(self[at]) << 8 | UInt16(self[at + 1]) }
    func wireU32(_ at: Int) -> UInt32 { UInt32(wireU16(at)) << 16 | UInt32(wireU16(at + 2)) }
    func wireIPv4(_ at: Int) -> IPv4Address { IPv4Address(wireU32(at)) }
    func wireIPv6(_ at: Int) -> IPv6Address {
        let h = UInt64(wireU32(at)) << 32 | UInt64(wireU32(at + 4))
        let l = UInt64(wireU32(at + 8)) << 32 | UInt64(wireU32(at + 12))
        return IPv6Address(high: h, low: l)
    }
}
