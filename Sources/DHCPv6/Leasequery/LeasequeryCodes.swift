/// Message types of DHCPv6 leasequery (RFC 5007 §4.1.1) and bulk leasequery (RFC 5460 §5.2).
public enum LeasequeryMessageType: UInt8, Sendable, Hashable {
    case leasequery = 14
    case reply = 15
    case done = 16
    case data = 17
}

/// Option codes of RFC 5007 §4.1.2 and RFC 5460 §5.1.
public enum LeasequeryOptionCode {
    public static let query: UInt16 = 44
    public static let clientData: UInt16 = 45
    public static let cltTime: UInt16 = 46
    public static let relayData: UInt16 = 47
    public static let clientLink: UInt16 = 48
    /// OPTION_RELAY_ID (RFC 5460 §5.1.1): the relay agent's DUID.
    public static let relayID: UInt16 = 53
}

/// The query-type of OPTION_LQ_QUERY: 1 and 2 from RFC 5007 §4.1.2.1, 3–5 from RFC 5460 §5.1.
public enum LeasequeryQueryType: UInt8, Sendable, Hashable, CaseIterable {
    case byAddress = 1
    case byClientID = 2
    case byRelayID = 3
    case byLinkAddress = 4
    case byRemoteID = 5

    /// The name in counters, logs and events.
    public var name: String {
        switch self {
        case .byAddress: "Address"
        case .byClientID: "ClientID"
        case .byRelayID: "RelayID"
        case .byLinkAddress: "LinkAddress"
        case .byRemoteID: "RemoteID"
        }
    }

    /// Whether the query type is only answered over TCP (RFC 5460 §4.1: types 3–5 are bulk-only).
    /// Over UDP they are answered UnknownQueryType.
    public var isBulkOnly: Bool { rawValue >= 3 }
}

/// The status codes a leasequery reply carries (RFC 5007 §4.1.2.6, RFC 5460 §5.3), with the
/// texts this server sends.
public enum LeasequeryStatus: UInt16, Sendable, Hashable {
    case success = 0
    case unknownQueryType = 7
    case malformedQuery = 8
    case notConfigured = 9
    case notAllowed = 10
    case queryTerminated = 11
    case dataMissing = 12

    public var message: StaticString {
        switch self {
        case .success: "Success"
        case .unknownQueryType: "Unknown query type"
        case .malformedQuery: "Malformed query"
        case .notConfigured: "Not configured for this address or link"
        case .notAllowed: "Leasequery not allowed from this address"
        case .queryTerminated: "Query terminated"
        case .dataMissing: "Data missing"
        }
    }
}

/// How one leasequery ended: the `result` of its counter, log line and event.
public enum LeasequeryResult: String, Sendable, Hashable, CaseIterable {
    /// Client data returned (one binding over UDP, one or more over TCP).
    case data = "Data"
    /// Answered Success without client data: a reserved address or a known client not served
    /// within its lease time, or a client this server has no reservation for.
    case noData = "NoData"
    case unknownQueryType = "UnknownQueryType"
    case malformedQuery = "MalformedQuery"
    case notConfigured = "NotConfigured"
    case notAllowed = "NotAllowed"
    /// No reply: a Server Identifier that is not ours, or a message too short for its header.
    case discarded = "Discarded"
    /// The reply did not fit the buffer.
    case encodeFailed = "EncodeFailed"

    /// The status the reply carries for this result (nil: none, Success implied).
    var status: LeasequeryStatus? {
        switch self {
        case .data, .noData, .discarded, .encodeFailed: nil
        case .unknownQueryType: .unknownQueryType
        case .malformedQuery: .malformedQuery
        case .notConfigured: .notConfigured
        case .notAllowed: .notAllowed
        }
    }
}
