import ShadowCore

/// The 64-bit keys of ``TokenBucketTable``: a multiply-xorshift hash of a key's bytes, read eight
/// at a time (not a cryptographic hash: a client choosing its identifier can at worst share a
/// bucket with another client or evict entries, which a random flood does as well).
public enum StormKey {
    @inline(__always)
    static func mix(_ h: UInt64, _ word: UInt64) -> UInt64 {
        var x = (h ^ word) &* 0x9E37_79B9_7F4A_7C15
        x ^= x >> 29
        return x
    }

    @inline(__always)
    static func finish(_ h: UInt64) -> UInt64 {
        var x = h &* 0xBF58_476D_1CE4_E5B9
        x ^= x >> 31
        return x
    }

    /// The key of `bytes` (any length), seeded with `domain` so a relay address and a client
    /// identifier never share a key by construction.
    @inline(__always)
    public static func of(_ bytes: UnsafeRawBufferPointer, domain: UInt64) -> UInt64 {
        var h = mix(domain, UInt64(bytes.count))
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            h = mix(h, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i += 8
        }
        if i < n {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(bytes[i]) << shift
                shift += 8
                i += 1
            }
            h = mix(h, tail)
        }
        return finish(h)
    }

    /// The key of a DHCPv4 request's client: the `hlen` first bytes (at most 16) of its 16-byte
    /// `chaddr` field at offset 28 (the caller checked the datagram holds it), read as two words
    /// and masked, mixed with two multiplications: no loop, no branch per byte. (Not the same
    /// function as ``of(_:domain:)``: chaddr keys only ever meet chaddr keys.)
    @inline(__always)
    static func chaddr(_ datagram: UnsafeRawBufferPointer) -> UInt64 {
        let w0 = UInt64(littleEndian: datagram.loadUnaligned(fromByteOffset: 28, as: UInt64.self))
        guard datagram[2] == 6 else { return chaddr(datagram, w0) }
        // Ethernet, nearly every request: one word
        var h = (w0 & 0xFFFF_FFFF_FFFF) &* 0x9E37_79B9_7F4A_7C15 ^ 6
        h ^= h >> 29
        return h &* 0xBF58_476D_1CE4_E5B9 ^ clientDomain
    }

    /// ``chaddr(_:)`` for a `hlen` other than 6 (out of line).
    @inline(never)
    static func chaddr(_ datagram: UnsafeRawBufferPointer, _ w0: UInt64) -> UInt64 {
        let hlen = min(Int(datagram[2]), 16)
        let w1 = UInt64(littleEndian: datagram.loadUnaligned(fromByteOffset: 36, as: UInt64.self))
        let m0 = mask(min(hlen, 8)), m1 = mask(max(hlen - 8, 0))
        var h = ((w0 & m0) &* 0x9E37_79B9_7F4A_7C15) ^ ((w1 & m1) &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(hlen)
        h ^= h >> 29
        return h &* 0xBF58_476D_1CE4_E5B9 ^ clientDomain
    }

    /// The low `bytes` bytes (0…8) of a word.
    @inline(__always)
    static func mask(_ bytes: Int) -> UInt64 { bytes >= 8 ? ~0 : (1 << (UInt64(bytes) &* 8)) &- 1 }

    /// The key of an IPv4 address.
    @inline(__always)
    public static func of(_ a: UInt32, domain: UInt64) -> UInt64 { finish(mix(domain, UInt64(a))) }

    /// The key of an IPv6 address.
    @inline(__always)
    public static func of(_ a: IPv6Address, domain: UInt64) -> UInt64 { finish(mix(mix(domain, a.high), a.low)) }

    public static let clientDomain: UInt64 = 0x636C_6965_6E74  // "client"
    static let relayDomain: UInt64 = 0x7265_6C61_79  // "relay"
}
