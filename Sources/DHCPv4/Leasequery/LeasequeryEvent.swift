import ShadowCore

/// The record of one leasequery (docs/events.md, "Leasequery"): who asked what over which
/// transport, and what was answered.
public struct LeasequeryEvent: Sendable, Hashable {
    /// `udp` or `tcp`.
    public var transport: String
    /// The querier: the UDP or TCP source address.
    public var querier: IPv4Address
    public var giaddr: IPv4Address?
    /// `Leasequery` or `BulkLeasequery`.
    public var messageType: LeasequeryMessageType
    /// The query type (``LeasequeryQuery/Key/name``), nil when the query was malformed.
    public var query: String?
    public var value: String?
    public var result: LeasequeryResult
    /// DHCPLEASEACTIVE messages sent (bulk) or 1 / 0 (single query).
    public var leases: Int
    /// The reservation's address for a single query that found one.
    public var reservation: IPv4Address?
    /// The status message of a MalformedQuery / NotAllowed answer.
    public var detail: String?

    public init(transport: String, querier: IPv4Address, giaddr: IPv4Address?, messageType: LeasequeryMessageType,
                query: String?, value: String?, result: LeasequeryResult, leases: Int, reservation: IPv4Address?,
                detail: String?) {
        self.transport = transport
        self.querier = querier
        self.giaddr = giaddr
        self.messageType = messageType
        self.query = query
        self.value = value
        self.result = result
        self.leases = leases
        self.reservation = reservation
        self.detail = detail
    }

    /// One compact JSON object with `event_type` `leasequery` (no trailing newline).
    public func jsonLine(timestampKey: String, timestamp: Int64) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.field("event_type", "leasequery")
        w.field(timestampKey, timestamp)
        w.field("ip_version", "v4")
        w.field("transport", transport)
        w.field("querier", querier.description)
        w.field("giaddr", giaddr?.description)
        w.field("message_type", messageType.name)
        w.field("query", query)
        w.field("query_value", value)
        w.field("result", result.rawValue)
        w.field("leases", leases)
        w.field("reservation_ipv4", reservation?.description)
        w.field("detail", detail)
        w.endObject()
        return w.text
    }

    /// The log line: info, or warning for a querier outside `allowed`.
    public var logLine: TransactionLogLine {
        TransactionLogLine(result == .notAllowed ? .warn : .info,
                           result == .notAllowed ? "DHCPv4 leasequery refused: querier not allowed"
                                                 : "DHCPv4 leasequery answered",
                           [("transport", transport), ("querier", querier.description),
                            ("giaddr", giaddr?.description), ("message_type", messageType.name), ("query", query),
                            ("query_value", value), ("result", result.rawValue), ("leases", String(leases)),
                            ("reservation_ipv4", reservation?.description), ("detail", detail)])
    }
}
