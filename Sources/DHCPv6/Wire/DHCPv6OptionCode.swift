/// DHCPv6 option codes this server reads or writes (RFC 8415 §21 and the relay RFCs).
public enum DHCPv6OptionCode {
    public static let clientID: UInt16 = 1
    public static let serverID: UInt16 = 2
    public static let iaNA: UInt16 = 3
    public static let iaTA: UInt16 = 4
    public static let iaAddress: UInt16 = 5
    public static let optionRequest: UInt16 = 6
    public static let preference: UInt16 = 7
    public static let elapsedTime: UInt16 = 8
    public static let relayMessage: UInt16 = 9
    public static let statusCode: UInt16 = 13
    public static let rapidCommit: UInt16 = 14
    public static let interfaceID: UInt16 = 18
    public static let dnsServers: UInt16 = 23
    /// Domain Search List (RFC 3646).
    public static let domainList: UInt16 = 24
    public static let iaPD: UInt16 = 25
    public static let iaPrefix: UInt16 = 26
    /// Information Refresh Time (RFC 8415 §21.23).
    public static let informationRefreshTime: UInt16 = 32
    /// Remote-ID (RFC 4649).
    public static let remoteID: UInt16 = 37
    /// Client Link-Layer Address (RFC 6939).
    public static let clientLinkLayerAddress: UInt16 = 79
    /// Relay Source Port (RFC 8357).
    public static let relaySourcePort: UInt16 = 135
}

/// DHCPv6 status codes (RFC 8415 §21.13) and the texts this server sends with them.
public enum DHCPv6StatusCode: UInt16, Sendable, Hashable {
    case success = 0
    case unspecFail = 1
    case noAddrsAvail = 2
    case noBinding = 3
    case notOnLink = 4
    case useMulticast = 5
    case noPrefixAvail = 6

    /// The status message sent on the wire (UTF-8, no terminator).
    public var message: StaticString {
        switch self {
        case .success: "Success"
        case .unspecFail: "Unspecified failure"
        case .noAddrsAvail: "No addresses available"
        case .noBinding: "No binding for this IA"
        case .notOnLink: "Address not on link"
        case .useMulticast: "Use multicast"
        case .noPrefixAvail: "No prefixes available"
        }
    }
}

/// Fixed sizes of the wire structures.
enum DHCPv6Wire {
    /// msg-type, hop-count, link-address, peer-address.
    static let relayHeaderLength = 34
    /// msg-type and transaction-id.
    static let clientHeaderLength = 4
    /// Option code and option length.
    static let optionHeaderLength = 4
    /// IAID, T1, T2 (IA_NA and IA_PD).
    static let iaHeaderLength = 12
    /// Address, preferred and valid lifetimes (IA Address payload without sub-options).
    static let iaAddressLength = 24
    /// Lifetimes, prefix length and prefix (IA Prefix payload without sub-options).
    static let iaPrefixLength = 25
    /// Deepest relay chain accepted, and the highest hop-count (RFC 8415 §7.6 HOP_COUNT_LIMIT).
    static let maximumRelayDepth = 32
    static let maximumHopCount: UInt8 = 32
    static let serverPort: UInt16 = 547
}
