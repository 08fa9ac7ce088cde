import ShadowCore

/// The fields of a DHCPv4 reply the load generator checks, read without allocating.
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
        guard b.count >= 240, b[0] == 2, b.benchU32(236) == 0x6382_5363 else { return nil }
        xid = b.benchU32(4)
        yiaddr = b.benchIPv4(16)
        messageType = 0
        var type: UInt8 = 0
        var server: IPv4Address?
        let ok = V4Options.walk(b) { code, at, length in
            if code == 53, length == 1 { type = b[at] }
            if code == 54, length == 4 { server = b.benchIPv4(at) }
        }
        guard ok else { return nil }
        messageType = type
        serverIdentifier = server
    }
}

/// Every field of a DHCPv4 reply an operator wants to see (the probe's output).
public struct V4ReplyDetails: Sendable, Hashable {
    public var summary: V4ReplySummary
    public var hops: UInt8
    public var flags: UInt16
    public var ciaddr: IPv4Address
    public var giaddr: IPv4Address
    public var chaddr: MACAddress?
    public var subnetMask: IPv4Address?
    public var routers: [IPv4Address] = []
    public var dns: [IPv4Address] = []
    public var leaseTime: UInt32?
    public var renewalTime: UInt32?
    public var rebindingTime: UInt32?
    /// Option 82 payload as echoed, if present.
    public var relayAgentInformation: [UInt8]?
    /// Every option code in wire order (End excluded).
    public var optionCodes: [UInt8] = []

    public init?(_ b: UnsafeRawBufferPointer) {
        guard let summary = V4ReplySummary(b) else { return nil }
        self.summary = summary
        hops = b[3]
        flags = b.benchU16(10)
        ciaddr = b.benchIPv4(12)
        giaddr = b.benchIPv4(24)
        chaddr = b[2] == 6 ? MACAddress(bytes: b[28..<34]) : nil
        var d = self
        _ = V4Options.walk(b) { code, at, length in d.read(code, b, at, length) }
        self = d
    }

    private mutating func read(_ code: UInt8, _ b: UnsafeRawBufferPointer, _ at: Int, _ length: Int) {
        optionCodes.append(code)
        func addresses() -> [IPv4Address] { stride(from: at, to: at + length - 3, by: 4).map { b.benchIPv4($0) } }
        switch code {
        case 1 where length == 4: subnetMask = b.benchIPv4(at)
        case 3: routers += addresses()
        case 6: dns += addresses()
        case 51 where length == 4: leaseTime = b.benchU32(at)
        case 58 where length == 4: renewalTime = b.benchU32(at)
        case 59 where length == 4: rebindingTime = b.benchU32(at)
        case 82: relayAgentInformation = Array(b[at..<(at + length)])
        default: break
        }
    }
}

/// The DHCPv4 option area (after the magic cookie).
enum V4Options {
    /// Calls `body(code, payloadOffset, payloadLength)` for each option up to End; Pad is skipped.
    /// Returns false when an option overruns the datagram.
    static func walk(_ b: UnsafeRawBufferPointer, _ body: (UInt8, Int, Int) -> Void) -> Bool {
        var i = 240
        while i < b.count {
            let code = b[i]
            if code == 255 { return true }
            if code == 0 { i += 1; continue }
            guard i + 1 < b.count else { return false }
            let length = Int(b[i + 1])
            guard i + 2 + length <= b.count else { return false }
            body(code, i + 2, length)
            i += 2 + length
        }
        return true
    }
}
