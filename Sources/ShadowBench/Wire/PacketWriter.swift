import ShadowCore

/// Writes big-endian fields into a caller's buffer at a moving offset. Writing past the end
/// traps: the builders size every packet well below the 1500-byte slots they write into.
struct PacketWriter: ~Copyable {
    let buffer: UnsafeMutableRawBufferPointer
    private(set) var offset: Int

    init(_ buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0) {
        self.buffer = buffer
        self.offset = offset
    }

    mutating func u8(_ v: UInt8) {
        buffer[offset] = v
        offset += 1
    }

    mutating func u16(_ v: UInt16) { u8(UInt8(v >> 8)); u8(UInt8(truncatingIfNeeded: v)) }

    mutating func u32(_ v: UInt32) { u16(UInt16(v >> 16)); u16(UInt16(truncatingIfNeeded: v)) }

    mutating func bytes(_ b: some Collection<UInt8>) { for x in b { u8(x) } }

    mutating func bytes(_ b: UnsafeRawBufferPointer) {
        precondition(offset + b.count <= buffer.count, "packet does not fit")
        UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<(offset + b.count)]).copyMemory(from: b)
        offset += b.count
    }

    mutating func ipv4(_ a: IPv4Address) { u32(a.value) }

    mutating func ipv6(_ a: IPv6Address) {
        u32(UInt32(truncatingIfNeeded: a.high >> 32)); u32(UInt32(truncatingIfNeeded: a.high))
        u32(UInt32(truncatingIfNeeded: a.low >> 32)); u32(UInt32(truncatingIfNeeded: a.low))
    }

    mutating func mac(_ m: MACAddress) { for i in 0..<6 { u8(m[byte: i]) } }

    mutating func zeros(_ n: Int) { for _ in 0..<n { u8(0) } }

    /// Writes a DHCPv6 option header (code, length) and returns where the length is, for
    /// ``closeOption(lengthAt:)`` once the payload is written.
    mutating func openOption(_ code: UInt16) -> Int {
        u16(code)
        let at = offset
        u16(0)
        return at
    }

    /// Patches the length written by ``openOption(_:)`` to cover everything written since.
    func closeOption(lengthAt at: Int) {
        let length = offset - at - 2
        buffer[at] = UInt8(length >> 8)
        buffer[at + 1] = UInt8(truncatingIfNeeded: length)
    }
}

/// Big-endian reads from a received datagram; every read is bounds-checked by the caller's
/// length checks and traps otherwise.
extension UnsafeRawBufferPointer {
    @inline(__always) func benchU8(_ at: Int) -> UInt8 { self[at] }
    @inline(__always) func benchU16(_ at: Int) -> UInt16 { UInt16(self[at]) << 8 | UInt16(self[at + 1]) }
    @inline(__always) func benchU32(_ at: Int) -> UInt32 { UInt32(benchU16(at)) << 16 | UInt32(benchU16(at + 2)) }
    func benchIPv4(_ at: Int) -> IPv4Address { IPv4Address(benchU32(at)) }
    func benchIPv6(_ at: Int) -> IPv6Address {
        let h = UInt64(benchU32(at)) << 32 | UInt64(benchU32(at + 4))
        let l = UInt64(benchU32(at + 8)) << 32 | UInt64(benchU32(at + 12))
        return IPv6Address(high: h, low: l)
    }
}
