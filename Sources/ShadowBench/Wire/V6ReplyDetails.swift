import ShadowCore

/// Every field of a Relay-reply an operator wants to see (the probe's output).
public struct V6ReplyDetails: Sendable, Hashable {
    /// One IA_NA or IA_PD of the reply.
    public struct IA: Sendable, Hashable {
        public var iaid: UInt32
        public var t1: UInt32
        public var t2: UInt32
        /// IA Address or IA Prefix entries: (address or prefix, preferred, valid).
        public var leases: [Lease] = []
        /// Status Code (13) inside the IA, if any.
        public var status: Status?
    }

    /// An IA Address or IA Prefix.
    public struct Lease: Sendable, Hashable {
        public var prefix: IPv6Prefix
        public var preferred: UInt32
        public var valid: UInt32
    }

    /// A Status Code option: code and message.
    public struct Status: Sendable, Hashable {
        public var code: UInt16
        public var message: String
    }

    public var summary: V6ReplySummary
    public var hopCount: UInt8
    public var linkAddress: IPv6Address
    public var peerAddress: IPv6Address
    /// Interface-ID echoed at the relay level.
    public var interfaceID: [UInt8]?
    public var clientID: [UInt8]?
    public var serverID: [UInt8]?
    public var preference: UInt8?
    public var rapidCommit = false
    public var status: Status?
    public var dns: [IPv6Address] = []
    public var iaNA: [IA] = []
    public var iaPD: [IA] = []
    /// Client-message option codes in wire order.
    public var optionCodes: [UInt16] = []

    public init?(_ b: UnsafeRawBufferPointer) {
        guard let summary = V6ReplySummary(b) else { return nil }
        self.summary = summary
        hopCount = b[1]
        linkAddress = b.benchIPv6(2)
        peerAddress = b.benchIPv6(18)
        var d = self
        V6Options.walk(b, 34..<b.count) { code, r in if code == 18 { d.interfaceID = Array(b[r]) } }
        var end = summary.messageOffset
        V6Options.walk(b, 34..<b.count) { code, r in if code == 9 && end == summary.messageOffset { end = r.upperBound } }
        V6Options.walk(b, (summary.messageOffset + 4)..<end) { code, r in d.read(code, b, r) }
        self = d
    }

    private mutating func read(_ code: UInt16, _ b: UnsafeRawBufferPointer, _ r: Range<Int>) {
        optionCodes.append(code)
        switch code {
        case 1: clientID = Array(b[r])
        case 2: serverID = Array(b[r])
        case 7 where r.count == 1: preference = b[r.lowerBound]
        case 13: status = V6ReplyDetails.status(b, r)
        case 14: rapidCommit = true
        case 23: dns = stride(from: r.lowerBound, to: r.upperBound - 15, by: 16).map { b.benchIPv6($0) }
        case 3: if let ia = V6ReplyDetails.ia(b, r, entry: 5) { iaNA.append(ia) }
        case 25: if let ia = V6ReplyDetails.ia(b, r, entry: 26) { iaPD.append(ia) }
        default: break
        }
    }

    static func status(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Status? {
        guard r.count >= 2 else { return nil }
        return Status(code: b.benchU16(r.lowerBound), message: String(decoding: b[(r.lowerBound + 2)..<r.upperBound], as: UTF8.self))
    }

    static func ia(_ b: UnsafeRawBufferPointer, _ r: Range<Int>, entry: UInt16) -> IA? {
        guard r.count >= 12 else { return nil }
        var ia = IA(iaid: b.benchU32(r.lowerBound), t1: b.benchU32(r.lowerBound + 4), t2: b.benchU32(r.lowerBound + 8))
        V6Options.walk(b, (r.lowerBound + 12)..<r.upperBound) { code, s in
            if code == 13 { ia.status = status(b, s) }
            if code == 5, entry == 5, s.count >= 24 {
                ia.leases.append(Lease(prefix: IPv6Prefix(address: b.benchIPv6(s.lowerBound), prefixLength: 128),
                                       preferred: b.benchU32(s.lowerBound + 16), valid: b.benchU32(s.lowerBound + 20)))
            }
            if code == 26, entry == 26, s.count >= 25, b[s.lowerBound + 8] <= 128 {
                ia.leases.append(Lease(prefix: IPv6Prefix(address: b.benchIPv6(s.lowerBound + 9), prefixLength: b[s.lowerBound + 8]),
                                       preferred: b.benchU32(s.lowerBound), valid: b.benchU32(s.lowerBound + 4)))
            }
        }
        return ia
    }
}
