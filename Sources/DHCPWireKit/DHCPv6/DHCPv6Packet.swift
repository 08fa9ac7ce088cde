import ShadowCore

/// Builds DHCPv6 client messages and Relay-forward wrappers byte by byte, independently of the
/// server's encoder, including malformed ones: each function returns the bytes of one option or
/// message, and messages are concatenations of them.
public enum DHCPv6Packet {
    public static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    public static func be32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }

    /// code, length, payload.
    public static func option(_ code: UInt16, _ payload: [UInt8]) -> [UInt8] {
        be16(code) + be16(UInt16(truncatingIfNeeded: payload.count)) + payload
    }

    public static func clientID(_ duid: DUID) -> [UInt8] { option(1, duid.bytes) }
    public static func serverID(_ duid: DUID) -> [UInt8] { option(2, duid.bytes) }
    /// - Precondition: `duid` is a valid DUID in text form.
    public static func clientID(_ duid: String) -> [UInt8] { clientID(DUID(duid)!) }
    /// - Precondition: `duid` is a valid DUID in text form.
    public static func serverID(_ duid: String) -> [UInt8] { serverID(DUID(duid)!) }
    public static func oro(_ codes: [UInt16]) -> [UInt8] { option(6, codes.flatMap(be16)) }
    public static func oro(_ codes: UInt16...) -> [UInt8] { oro(codes) }
    public static let elapsedTime = option(8, [0, 0])
    public static let rapidCommit = option(14, [])

    /// IA Address (5).
    public static func iaAddress(_ a: IPv6Address, preferred: UInt32 = 0, valid: UInt32 = 0) -> [UInt8] {
        option(5, a.bytes + be32(preferred) + be32(valid))
    }

    /// - Precondition: `a` is a valid address in text form.
    public static func iaAddress(_ a: String, preferred: UInt32 = 0, valid: UInt32 = 0) -> [UInt8] {
        iaAddress(IPv6Address(a)!, preferred: preferred, valid: valid)
    }

    /// IA Prefix (26).
    public static func iaPrefix(_ p: IPv6Prefix, preferred: UInt32 = 0, valid: UInt32 = 0) -> [UInt8] {
        option(26, be32(preferred) + be32(valid) + [p.prefixLength] + p.address.bytes)
    }

    /// - Precondition: `p` is a valid prefix in text form.
    public static func iaPrefix(_ p: String, preferred: UInt32 = 0, valid: UInt32 = 0) -> [UInt8] {
        iaPrefix(IPv6Prefix(p)!, preferred: preferred, valid: valid)
    }

    /// IA_NA (3) with IAID, T1, T2 and the given sub-options.
    public static func iaNA(_ iaid: UInt32, t1: UInt32 = 0, t2: UInt32 = 0, _ subs: [UInt8]...) -> [UInt8] {
        option(3, be32(iaid) + be32(t1) + be32(t2) + subs.flatMap { $0 })
    }

    /// IA_PD (25) with IAID, T1, T2 and the given sub-options.
    public static func iaPD(_ iaid: UInt32, t1: UInt32 = 0, t2: UInt32 = 0, _ subs: [UInt8]...) -> [UInt8] {
        option(25, be32(iaid) + be32(t1) + be32(t2) + subs.flatMap { $0 })
    }

    /// Message type, 24-bit transaction id, options.
    public static func client(type: UInt8, xid: UInt32, _ options: [[UInt8]]) -> [UInt8] {
        [type, UInt8(xid >> 16 & 0xFF), UInt8(xid >> 8 & 0xFF), UInt8(xid & 0xFF)] + options.flatMap { $0 }
    }

    /// A Solicit for IA_NA 1 and IA_PD 1, asking for DNS.
    public static func solicit(duid: DUID, xid: UInt32) -> [UInt8] {
        client(type: 1, xid: xid, [clientID(duid), elapsedTime, oro([23]), iaNA(1), iaPD(1)])
    }

    /// A Relay-forward (12; or `type`, for malformed input) around `inner`; `options` go before the
    /// Relay Message option (9).
    public static func relayForward(_ inner: [UInt8], hopCount: UInt8 = 0, link: IPv6Address, peer: IPv6Address,
                                    options: [[UInt8]] = [], type: UInt8 = 12) -> [UInt8] {
        [type, hopCount] + link.bytes + peer.bytes + options.flatMap { $0 } + option(9, inner)
    }

    /// ``relayForward(_:hopCount:link:peer:options:type:)`` with addresses in text form.
    /// - Precondition: `link` and `peer` are valid addresses.
    public static func relay(_ inner: [UInt8], hop: UInt8 = 0, link: String = "::", peer: String = "::",
                             extra: [[UInt8]] = [], type: UInt8 = 12) -> [UInt8] {
        relayForward(inner, hopCount: hop, link: IPv6Address(link)!, peer: IPv6Address(peer)!, options: extra, type: type)
    }

    /// Interface-ID (18).
    public static func interfaceID(_ bytes: [UInt8]) -> [UInt8] { option(18, bytes) }
    public static func interfaceID(_ text: String) -> [UInt8] { option(18, Array(text.utf8)) }
    /// Remote-ID (37, RFC 4649): enterprise number and text.
    public static func remoteID(enterprise: UInt32, _ text: String) -> [UInt8] {
        option(37, be32(enterprise) + Array(text.utf8))
    }
    /// Client Link-Layer Address (79, RFC 6939): hardware type 1 (Ethernet) and the MAC.
    public static func clientLinkLayerAddress(_ mac: MACAddress) -> [UInt8] { option(79, [0, 1] + mac.bytes) }
    /// - Precondition: `mac` is a valid MAC in text form.
    public static func clientLinkLayer(_ mac: String) -> [UInt8] { clientLinkLayerAddress(MACAddress(mac)!) }
    /// Relay Source Port (135, RFC 8357): the reply goes back to the datagram's source port.
    public static func relaySourcePort(_ port: UInt16 = 0) -> [UInt8] { option(135, be16(port)) }

    /// The EUI-64 link-local address of `mac` (RFC 4291 appendix A: fe80::, ff:fe inserted, the
    /// universal/local bit flipped).
    public static func linkLocal(eui64 mac: MACAddress) -> IPv6Address {
        let v = mac.value
        let eui = (v >> 24) << 40 | 0xFF_FE00_0000 | (v & 0xFF_FFFF)
        return IPv6Address(high: 0xFE80_0000_0000_0000, low: eui ^ 0x0200_0000_0000_0000)
    }

    /// Bytes from hex digits (spaces ignored).
    /// - Precondition: an even number of hex digits.
    public static func hex(_ s: String) -> [UInt8] {
        let digits = Array(s.utf8.filter { $0 != 0x20 })
        return stride(from: 0, to: digits.count - 1, by: 2).map { UInt8(nibble(digits[$0]) << 4 | nibble(digits[$0 + 1])) }
    }

    private static func nibble(_ c: UInt8) -> UInt8 {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46, 0x61...0x66: (c | 0x20) - 0x57
        default: preconditionFailure("not a hex digit: \(c)")
        }
    }
}
