/// DHCPv6 message types (RFC 8415 §7.3).
public enum DHCPv6MessageType: UInt8, Sendable, Hashable, CaseIterable {
    case solicit = 1
    case advertise = 2
    case request = 3
    case confirm = 4
    case renew = 5
    case rebind = 6
    case reply = 7
    case release = 8
    case decline = 9
    case reconfigure = 10
    case informationRequest = 11
    case relayForward = 12
    case relayReply = 13

    /// The name used in events (`message_type`), as upstream prints it.
    public var eventName: String {
        switch self {
        case .solicit: "Solicit"
        case .advertise: "Advertise"
        case .request: "Request"
        case .confirm: "Confirm"
        case .renew: "Renew"
        case .rebind: "Rebind"
        case .reply: "Reply"
        case .release: "Release"
        case .decline: "Decline"
        case .reconfigure: "Reconfigure"
        case .informationRequest: "InformationRequest"
        case .relayForward: "RelayForw"
        case .relayReply: "RelayRepl"
        }
    }

    /// The event name of a raw type byte: `Unknown` for values outside 1–13.
    public static func eventName(ofRawType raw: UInt8) -> String {
        DHCPv6MessageType(rawValue: raw)?.eventName ?? "Unknown"
    }
}
