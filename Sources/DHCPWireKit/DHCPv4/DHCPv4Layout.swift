import ShadowCore

/// The DHCPv4 wire layout as a client or relay writes it and reads replies: the BOOTP header
/// (RFC 2131 §2), the magic cookie and the option area. Written independently of the server's
/// codec, so that tests compare two implementations.
enum DHCPv4Layout {
    static let bootRequest: UInt8 = 1
    static let htypeEthernet: UInt8 = 1
    static let magicCookie: UInt32 = 0x6382_5363
    /// Where the options start (after the cookie).
    static let optionsOffset = 240

    static let pad: UInt8 = 0
    static let end: UInt8 = 255
}

extension PacketWriter {
    /// The BOOTP fields from `op` to `giaddr` (28 bytes); `chaddr` follows.
    mutating func bootpHead(op: UInt8, htype: UInt8, hlen: UInt8, hops: UInt8, xid: UInt32, secs: UInt16,
                            flags: UInt16, ciaddr: IPv4Address, yiaddr: IPv4Address, siaddr: IPv4Address,
                            giaddr: IPv4Address) {
        u8(op); u8(htype); u8(hlen); u8(hops)
        u32(xid)
        u16(secs); u16(flags)
        ipv4(ciaddr); ipv4(yiaddr); ipv4(siaddr); ipv4(giaddr)
    }

    /// Zeros after `chaddrLength` bytes of `chaddr` up to its 16, `sname` and `file`, then `cookie`.
    mutating func bootpTail(chaddrLength: Int, cookie: UInt32) {
        zeros(16 - chaddrLength + 64 + 128)
        u32(cookie)
    }

    /// One DHCPv4 option: code, length (truncated to a byte, for malformed input), payload.
    mutating func dhcpv4Option(_ code: UInt8, _ payload: some Collection<UInt8>) {
        u8(code)
        u8(UInt8(truncatingIfNeeded: payload.count))
        bytes(payload)
    }
}

/// The DHCPv4 option area (after the magic cookie).
public enum DHCPv4Options {
    /// How a walk over the option area ended.
    public enum Ending: Sendable, Equatable {
        /// At an End option; its offset.
        case end(at: Int)
        /// At the end of the datagram without an End option.
        case noEnd
        /// An option overran the datagram.
        case overrun
    }

    /// Calls `body(code, payloadOffset, payloadLength)` for each option up to End; Pad is skipped.
    public static func walk(_ b: UnsafeRawBufferPointer, _ body: (UInt8, Int, Int) -> Void) -> Ending {
        var i = DHCPv4Layout.optionsOffset
        while i < b.count {
            let code = b[i]
            if code == DHCPv4Layout.end { return .end(at: i) }
            if code == DHCPv4Layout.pad { i += 1; continue }
            guard i + 1 < b.count else { return .overrun }
            let length = Int(b[i + 1])
            guard i + 2 + length <= b.count else { return .overrun }
            body(code, i + 2, length)
            i += 2 + length
        }
        return .noEnd
    }

    /// An Option 82 payload: each sub-option as code, length, value, in order.
    public static func relayAgentInformation(_ subOptions: [(code: UInt8, value: [UInt8])]) -> [UInt8] {
        var payload: [UInt8] = []
        for s in subOptions {
            payload.append(s.code)
            payload.append(UInt8(truncatingIfNeeded: s.value.count))
            payload += s.value
        }
        return payload
    }
}
