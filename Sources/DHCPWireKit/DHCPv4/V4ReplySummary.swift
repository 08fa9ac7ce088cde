import ShadowCore

/// The fields of a DHCPv4 reply the load generator checks, read without allocating (for every
/// field, ``DHCPv4Reply``).
public struct V4ReplySummary: Sendable, Hashable {
    public var xid: UInt32
    /// Option 53 (2 OFFER, 5 ACK, 6 NAK), 0 when absent.
    public var messageType: UInt8
    public var yiaddr: IPv4Address
    /// Option 54, if present.
    public var serverIdentifier: IPv4Address?

    /// Reads a BOOTREPLY; nil for anything shorter than the fixed header and cookie, a BOOTREQUEST,
    /// a wrong magic cookie or options that overrun the datagram.
    public init?(_ b: UnsafeRawBufferPointer) {
        guard b.count >= DHCPv4Layout.optionsOffset, b[0] == 2, b.wireU32(236) == DHCPv4Layout.magicCookie else {
            return nil
        }
        xid = b.wireU32(4)
        yiaddr = b.wireIPv4(16)
        messageType = 0
        var type: UInt8 = 0
        var server: IPv4Address?
        let ending = DHCPv4Options.walk(b) { code, at, length in
            if code == 53, length == 1 { type = b[at] }
            if code == 54, length == 4 { server = b.wireIPv4(at) }
        }
        guard ending != .overrun else { return nil }
        messageType = type
        serverIdentifier = server
    }
}
