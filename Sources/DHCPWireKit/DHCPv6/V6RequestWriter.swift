import ShadowCore

/// What a DHCPv6 relay (RFC 8415 §19) puts around every client message it forwards.
public struct V6Relay: Sendable, Hashable {
    /// The Relay-forward's link-address: an address of the link the client is on (the bench's own).
    public var linkAddress: IPv6Address
    /// Interface-ID (option 18), if any.
    public var interfaceID: String?
    /// Remote-ID (option 37): enterprise number and text, if any.
    public var remoteID: (enterprise: UInt32, text: String)?
    /// Add the Client Link-Layer Address option (79) with the client's MAC.
    public var clientLinkLayer: Bool
    /// RFC 8357 Relay Source Port (option 135) carrying this port: replies come back to the
    /// request's source port instead of 547.
    public var sourcePort: UInt16?

    public init(linkAddress: IPv6Address, interfaceID: String? = nil, remoteID: (enterprise: UInt32, text: String)? = nil,
                clientLinkLayer: Bool = true, sourcePort: UInt16? = nil) {
        self.linkAddress = linkAddress
        self.interfaceID = interfaceID
        self.remoteID = remoteID
        self.clientLinkLayer = clientLinkLayer
        self.sourcePort = sourcePort
    }

    public static func == (a: V6Relay, b: V6Relay) -> Bool {
        a.linkAddress == b.linkAddress && a.interfaceID == b.interfaceID && a.remoteID?.enterprise == b.remoteID?.enterprise
            && a.remoteID?.text == b.remoteID?.text && a.clientLinkLayer == b.clientLinkLayer && a.sourcePort == b.sourcePort
    }

    public func hash(into h: inout Hasher) { h.combine(linkAddress); h.combine(interfaceID); h.combine(sourcePort) }
}

/// One DHCPv6 client as the relay sees it.
public struct V6Client: Sendable, Hashable {
    /// Client Identifier (option 1) payload; nil means the DUID-LL (type 3, Ethernet) of ``mac``,
    /// written without building an array.
    public var duid: [UInt8]?
    /// Its MAC, for option 79 and the EUI-64 link-local peer-address; nil: peer-address fe80::1.
    public var mac: MACAddress?

    /// - Precondition: `duid` or `mac` is given.
    public init(duid: [UInt8]?, mac: MACAddress?) {
        precondition(duid != nil || mac != nil, "a client needs a DUID or a MAC")
        self.duid = duid
        self.mac = mac
    }

    /// The client's link-local address: EUI-64 of its MAC (RFC 4291 appendix A), else fe80::1.
    public var peerAddress: IPv6Address {
        mac.map(DHCPv6Packet.linkLocal(eui64:)) ?? IPv6Address(high: 0xFE80_0000_0000_0000, low: 1)
    }
}

/// Writes Relay-forward messages holding a Solicit or a Request (RFC 8415) into a caller's buffer,
/// allocating nothing per packet (the load generator's send slots); ``DHCPv6Packet`` builds arrays.
/// The client asks for one IA_NA and one IA_PD (IAID 1 each) and for DNS (ORO 23).
public struct V6RequestWriter: Sendable {
    public let relay: V6Relay
    /// Largest datagram written with a DUID of at most 130 bytes and short relay strings.
    public static let maximumLength = 1024

    /// Codes the ORO lists after DNS (23).
    private let requesting: [UInt16]

    /// - Parameter requesting: codes added to the ORO after 23 (at most 64).
    public init(relay: V6Relay, requesting: [UInt16] = []) {
        self.relay = relay
        self.requesting = Array(requesting.prefix(64))
    }

    /// A Relay-forward(Solicit) for `client` with transaction id `xid` (24 bits).
    public func solicit(_ client: V6Client, xid: UInt32, into out: UnsafeMutableRawBufferPointer) -> Int {
        var w = PacketWriter(out)
        writeRelayHeader(client, &w)
        let relayMessage = w.openOption(9)
        writeClientHeader(type: 1, xid: xid, client, &w)
        writeIANA(address: nil, &w)
        writeIAPD(prefix: nil, &w)
        w.closeOption(lengthAt: relayMessage)
        return w.offset
    }

    /// A Relay-forward(Request) naming `serverID` (the Advertise's option 2 payload) and asking for
    /// the advertised `address` and `prefix` when given.
    public func request(_ client: V6Client, xid: UInt32, serverID: UnsafeRawBufferPointer, address: IPv6Address?,
                        prefix: IPv6Prefix?, into out: UnsafeMutableRawBufferPointer) -> Int {
        var w = PacketWriter(out)
        writeRelayHeader(client, &w)
        let relayMessage = w.openOption(9)
        writeClientHeader(type: 3, xid: xid, client, &w)
        let server = w.openOption(2)
        w.bytes(serverID)
        w.closeOption(lengthAt: server)
        writeIANA(address: address, &w)
        writeIAPD(prefix: prefix, &w)
        w.closeOption(lengthAt: relayMessage)
        return w.offset
    }

    private func writeRelayHeader(_ client: V6Client, _ w: inout PacketWriter) {
        w.u8(12); w.u8(0)
        w.ipv6(relay.linkAddress)
        w.ipv6(client.peerAddress)
        if let interfaceID = relay.interfaceID {
            let o = w.openOption(18); w.bytes(Array(interfaceID.utf8.prefix(128))); w.closeOption(lengthAt: o)
        }
        if let remote = relay.remoteID {
            let o = w.openOption(37); w.u32(remote.enterprise); w.bytes(Array(remote.text.utf8.prefix(128)))
            w.closeOption(lengthAt: o)
        }
        if relay.clientLinkLayer, let mac = client.mac {
            let o = w.openOption(79); w.u16(1); w.mac(mac); w.closeOption(lengthAt: o)
        }
        if let port = relay.sourcePort {
            let o = w.openOption(135); w.u16(port); w.closeOption(lengthAt: o)
        }
    }

    private func writeClientHeader(type: UInt8, xid: UInt32, _ client: V6Client, _ w: inout PacketWriter) {
        w.u8(type)
        w.u8(UInt8(truncatingIfNeeded: xid >> 16)); w.u8(UInt8(truncatingIfNeeded: xid >> 8))
        w.u8(UInt8(truncatingIfNeeded: xid))
        let id = w.openOption(1)
        if let duid = client.duid { w.bytes(duid.prefix(DUID.maximumLength)) } else if let mac = client.mac {
            w.u16(3); w.u16(1); w.mac(mac)
        }
        w.closeOption(lengthAt: id)
        let elapsed = w.openOption(8); w.u16(0); w.closeOption(lengthAt: elapsed)
        let oro = w.openOption(6); w.u16(23)
        for code in requesting { w.u16(code) }
        w.closeOption(lengthAt: oro)
    }

    private func writeIANA(address: IPv6Address?, _ w: inout PacketWriter) {
        let ia = w.openOption(3)
        w.u32(1); w.u32(0); w.u32(0)
        if let address {
            let a = w.openOption(5); w.ipv6(address); w.u32(0); w.u32(0); w.closeOption(lengthAt: a)
        }
        w.closeOption(lengthAt: ia)
    }

    private func writeIAPD(prefix: IPv6Prefix?, _ w: inout PacketWriter) {
        let ia = w.openOption(25)
        w.u32(1); w.u32(0); w.u32(0)
        if let prefix {
            let p = w.openOption(26); w.u32(0); w.u32(0); w.u8(prefix.prefixLength); w.ipv6(prefix.address)
            w.closeOption(lengthAt: p)
        }
        w.closeOption(lengthAt: ia)
    }
}
