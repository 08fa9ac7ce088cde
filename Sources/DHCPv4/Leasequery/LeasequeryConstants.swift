/// Message types of DHCPv4 leasequery (RFC 4388 §6.1, RFC 6926 §6.1), carried in option 53.
public enum LeasequeryMessageType: UInt8, Sendable, Hashable, CaseIterable {
    case leasequery = 10
    case leaseUnassigned = 11
    case leaseUnknown = 12
    case leaseActive = 13
    case bulkLeasequery = 14
    case leasequeryDone = 15

    /// The name used in events, logs and counters.
    public var name: String {
        switch self {
        case .leasequery: "Leasequery"
        case .leaseUnassigned: "LeaseUnassigned"
        case .leaseUnknown: "LeaseUnknown"
        case .leaseActive: "LeaseActive"
        case .bulkLeasequery: "BulkLeasequery"
        case .leasequeryDone: "LeasequeryDone"
        }
    }
}

/// Option codes leasequery reads or writes (RFC 4388 §6.1, RFC 6926 §6.2).
public enum LeasequeryOption {
    public static let parameterRequestList: UInt8 = 55
    /// client-last-transaction-time: seconds since the client last talked to the server.
    public static let clientLastTransactionTime: UInt8 = 91
    /// associated-ip: every address bound to the client (queries by MAC or client identifier).
    public static let associatedIP: UInt8 = 92
    /// dhcp-status-code (RFC 6926 §6.2.2): a one-byte code and an optional UTF-8 message.
    public static let statusCode: UInt8 = 151
    /// base-time (RFC 6926 §6.2.3): the server's current time, Unix seconds.
    public static let baseTime: UInt8 = 152
    /// query-start-time, query-end-time (RFC 6926 §6.2.5, §6.2.6).
    public static let queryStartTime: UInt8 = 154
    public static let queryEndTime: UInt8 = 155
    /// Virtual subnet selection (RFC 6607): VPN queries are refused.
    public static let virtualSubnetSelection: UInt8 = 221
    /// Relay Agent Information sub-option 12, Relay Identifier (RFC 6925).
    public static let relayIDSubOption: UInt8 = 12
}

/// dhcp-status-code values (RFC 6926 §6.2.2).
public enum LeasequeryStatus: UInt8, Sendable, Hashable, CaseIterable {
    case success = 0
    case unspecFail = 1
    case queryTerminated = 2
    case malformedQuery = 3
    case notAllowed = 4

    public var name: String {
        switch self {
        case .success: "Success"
        case .unspecFail: "UnspecFail"
        case .queryTerminated: "QueryTerminated"
        case .malformedQuery: "MalformedQuery"
        case .notAllowed: "NotAllowed"
        }
    }
}
