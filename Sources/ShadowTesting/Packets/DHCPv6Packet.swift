import ShadowCore

/// Builds DHCPv6 client messages and Relay-forward wrappers byte by byte (independently of the
/// server's encoder), including malformed ones.
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
    public static func oro(_ codes: [UInt16]) -> [UInt8] { option(6, codes.flatMap(be16)) }
    public static let elapsedTime = option(8, [0, 0])

    /// IA_NA (3) with IAID and no addresses.
    public static func iaNA(_ iaid: UInt32) -> [UInt8] { option(3, be32(iaid) + be32(0) + be32(0)) }
    /// IA_PD (25) with IAID and no prefixes.
    public static func iaPD(_ iaid: UInt32) -> [UInt8] { option(25, be32(iaid) + be32(0) + be32(0)) }

    /// Message type, 24-bit transaction id, options.
    public static func client(type: UInt8, xid: UInt32, _ options: [[UInt8]]) -> [UInt8] {
        [type, UInt8(xid >> 16 & 0xFF), UInt8(xid >> 8 & 0xFF), UInt8(xid & 0xFF)] + options.flatMap { $0 }
    }

    /// A Solicit for IA_NA 1 and IA_PD 1, asking for DNS.
    public static func solicit(duid: DUID, xid: UInt32) -> [UInt8] {
        client(type: 1, xid: xid, [clientID(duid), elapsedTime, oro([23]), iaNA(1), iaPD(1)])
    }

    /// A Relay-forward (12) around `inner`; `options` go before the Relay Message option (9).
    public static func relayForward(_ inner: [UInt8], hopCount: UInt8 = 0, link: IPv6Address, peer: IPv6Address,
                                    options: [[UInt8]] = []) -> [UInt8] {
        [12, hopCount] + link.bytes + peer.bytes + options.flatMap { $0 } + option(9, inner)
    }

    /// Interface-ID (18).
    public static func interfaceID(_ text: String) -> [UInt8] { option(18, Array(text.utf8)) }
    /// Client Link-Layer Address (79, RFC 6939): hardware type 1 (Ethernet) and the MAC.
    public static func clientLinkLayerAddress(_ mac: MACAddress) -> [UInt8] { option(79, [0, 1] + mac.bytes) }
    /// Relay Source Port (135, RFC 8357): the reply goes back to the datagram's source port.
    public static func relaySourcePort(_ port: UInt16 = 0) -> [UInt8] { option(135, be16(port)) }

    /// The EUI-64 link-local address of `mac` (fe80::, universal/local bit flipped, ff:fe inserted).
    public static func linkLocal(eui64 mac: MACAddress) -> IPv6Address {
        let b = mac.bytes
        let iid: [UInt8] = [b[0] ^ 0x02, b[1], b[2], 0xFF, 0xFE, b[3], b[4], b[5]]
        return IPv6Address(networkBytes: [0xFE, 0x80, 0, 0, 0, 0, 0, 0] + iid)
    }
}
