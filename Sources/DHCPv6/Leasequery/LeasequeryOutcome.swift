import ShadowCore

/// What the server did with one leasequery (UDP or TCP): the reply, if any, and what its counter,
/// log line and event report.
public struct LeasequeryOutcome: Sendable {
    /// `length` bytes of the caller's buffer hold the reply for `destination`:`port`; nil: none.
    public var reply: (length: Int, destination: IPv6Address, port: UInt16)?
    public var result: LeasequeryResult
    /// The query-type byte (nil when the query could not be read that far).
    public var rawQueryType: UInt8?
    public var transactionID: UInt32?
    /// The querier: the UDP or TCP source.
    public var querier: IPv6Address
    public var querierPort: UInt16
    /// `udp-relayed`, `udp-direct` or `tcp`.
    public var transport: Transport
    /// The query's IA Address (by address) or Client Identifier (by client id).
    public var queriedAddress: IPv6Address?
    public var queriedClientID: InlineBytes?
    /// The reservation answered with (a binding returned), and how many bindings (bulk).
    public var answeredAddress: IPv6Address?
    public var bindings: Int = 0
    /// Why the query was malformed or discarded.
    public var problem: String?

    public enum Transport: String, Sendable {
        case udpRelayed = "udp-relayed"
        case udpDirect = "udp-direct"
        case tcp
    }

    public init(result: LeasequeryResult, querier: IPv6Address, querierPort: UInt16, transport: Transport) {
        self.result = result
        self.querier = querier
        self.querierPort = querierPort
        self.transport = transport
    }

    /// The query type's name: `Address`, `ClientID`, `RelayID`, `LinkAddress`, `RemoteID`, or
    /// `Malformed` (unreadable or unknown type).
    public var queryTypeName: String {
        rawQueryType.flatMap(LeasequeryQueryType.init(rawValue:))?.name ?? "Malformed"
    }

    /// The event (docs/events.md, "Leasequery"): `event_type` `leasequery`.
    public func jsonLine(timestamp: Int64) -> String {
        var j = JSONWriter()
        j.beginObject()
        j.field("event_type", "leasequery")
        j.field("ip_version", "v6")
        j.field("timestamp_ms", timestamp)
        j.field("transport", transport.rawValue)
        j.field("querier", querier.description)
        j.field("query", queryTypeName)
        j.field("xid", transactionID.map { String(format6: $0) })
        j.field("queried_address", queriedAddress?.description)
        j.field("queried_client_id", queriedClientID?.description)
        j.field("result", result.rawValue)
        j.field("answered_ipv6_na", answeredAddress?.description)
        j.field("bindings", bindings)
        j.field("problem", problem)
        j.endObject()
        return j.text
    }

    /// The log line: info for every query answered, debug for one discarded.
    public var logLine: TransactionLogLine {
        let level: TransactionLogLine.Level = result == .discarded ? .debug : .info
        return TransactionLogLine(level, "DHCPv6 leasequery", [
            ("query", queryTypeName), ("result", result.rawValue), ("transport", transport.rawValue),
            ("querier", "[\(querier)]:\(querierPort)"), ("address", queriedAddress?.description),
            ("client_id", queriedClientID?.description), ("answered_na", answeredAddress?.description),
            ("bindings", transport == .tcp ? "\(bindings)" : nil), ("problem", problem),
            ("xid", transactionID.map { String(format6: $0) })])
    }
}

extension String {
    /// A 24-bit transaction id as six lower-case hex digits.
    init(format6 xid: UInt32) {
        let hex = String(xid & 0xFF_FFFF, radix: 16)
        self = String(repeating: "0", count: 6 - hex.count) + hex
    }
}
