/// DHCP message types carried in option 53 (RFC 2132 §9.6).
public enum DHCPv4MessageType: UInt8, Sendable, Hashable, CaseIterable {
    case discover = 1
    case offer = 2
    case request = 3
    case decline = 4
    case ack = 5
    case nak = 6
    case release = 7
    case inform = 8

    /// The name used in events and logs (`Discover`, `Ack`, …).
    public var name: String {
        switch self {
        case .discover: "Discover"
        case .offer: "Offer"
        case .request: "Request"
        case .decline: "Decline"
        case .ack: "Ack"
        case .nak: "Nak"
        case .release: "Release"
        case .inform: "Inform"
        }
    }
}

/// DHCPv4 option codes this server reads or writes (RFC 2132, RFC 3046).
public enum DHCPv4Option {
    public static let pad: UInt8 = 0
    public static let subnetMask: UInt8 = 1
    public static let router: UInt8 = 3
    public static let domainNameServer: UInt8 = 6
    public static let requestedIPAddress: UInt8 = 50
    public static let leaseTime: UInt8 = 51
    public static let overload: UInt8 = 52
    public static let messageType: UInt8 = 53
    public static let serverIdentifier: UInt8 = 54
    public static let parameterRequestList: UInt8 = 55
    public static let maximumMessageSize: UInt8 = 57
    public static let renewalTime: UInt8 = 58
    public static let rebindingTime: UInt8 = 59
    public static let clientIdentifier: UInt8 = 61
    public static let relayAgentInformation: UInt8 = 82
    /// IPv6-Only Preferred (RFC 8925).
    public static let v6OnlyPreferred: UInt8 = 108
    /// Subnet Selection (RFC 3011).
    public static let subnetSelection: UInt8 = 118
    public static let end: UInt8 = 255
}

/// Relay Agent Information (option 82) sub-option codes.
public enum RelayAgentSubOption {
    /// Agent Circuit ID (RFC 3046).
    public static let circuitID: UInt8 = 1
    /// Agent Remote ID (RFC 3046).
    public static let remoteID: UInt8 = 2
    /// Link Selection (RFC 3527), 4 bytes.
    public static let linkSelection: UInt8 = 5
    /// Subscriber ID (RFC 3993).
    public static let subscriberID: UInt8 = 6
    /// Server Identifier Override (RFC 5107), 4 bytes.
    public static let serverIdentifierOverride: UInt8 = 11
    /// Relay Agent Source Port (RFC 8357), empty.
    public static let relaySourcePort: UInt8 = 19
}

/// Fixed BOOTP/DHCPv4 layout facts (RFC 2131 §2, RFC 951).
public enum BOOTP {
    public static let request: UInt8 = 1
    public static let reply: UInt8 = 2
    public static let htypeEthernet: UInt8 = 1
    /// Length of the fixed header before the magic cookie.
    public static let headerLength = 236
    /// Offset of the first option (after the magic cookie).
    public static let optionsOffset = 240
    /// The magic cookie 99.130.83.99.
    public static let magicCookie: UInt32 = 0x6382_5363
    /// Smallest datagram a BOOTP relay or client must accept; replies are padded to it.
    public static let minimumMessageLength = 300
    /// The broadcast bit of `flags`.
    public static let broadcastFlag: UInt16 = 0x8000
    public static let serverPort: UInt16 = 67
    public static let clientPort: UInt16 = 68

    // Field offsets in the fixed header.
    static let opOffset = 0
    static let htypeOffset = 1
    static let hlenOffset = 2
    static let hopsOffset = 3
    static let xidOffset = 4
    static let secsOffset = 8
    static let flagsOffset = 10
    static let ciaddrOffset = 12
    static let yiaddrOffset = 16
    static let siaddrOffset = 20
    static let giaddrOffset = 24
    static let chaddrOffset = 28
    static let chaddrLength = 16
    static let cookieOffset = 236
}
