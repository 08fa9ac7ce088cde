import DHCPv6

/// The slots of the v6 worker's `leasequery.<transport>.<query>.<result>` counters (docs/metrics.md,
/// `shadowdhcp_leasequery_total`): transport `udp` or `tcp`, query `Address`, `ClientID`,
/// `RelayID`, `LinkAddress`, `RemoteID`, or `Malformed` for a query whose type is unknown or
/// unreadable; every combination handed out once, so counting a query is an array increment.
struct V6LeasequeryCounterSlots: Sendable {
    static let queries = ["Address", "ClientID", "RelayID", "LinkAddress", "RemoteID", "Malformed"]
    private let slots: [Int]

    init(in table: inout CounterTable) {
        var s: [Int] = []
        for transport in ["udp", "tcp"] {
            for query in Self.queries {
                for result in DHCPv6.LeasequeryResult.allCases {
                    s.append(table.slot("leasequery.\(transport).\(query).\(result.rawValue)"))
                }
            }
        }
        slots = s
    }

    /// The query name of a query type (``LeasequeryQueryType`` raw values 1–5 in order).
    static func query(_ type: LeasequeryQueryType?) -> Int {
        type.map { Int($0.rawValue) - 1 } ?? queries.count - 1
    }

    subscript(tcp tcp: Bool, _ type: LeasequeryQueryType?, _ result: DHCPv6.LeasequeryResult) -> Int {
        let results = DHCPv6.LeasequeryResult.allCases
        let r = results.firstIndex(of: result) ?? 0
        return slots[((tcp ? 1 : 0) * Self.queries.count + Self.query(type)) * results.count + r]
    }
}
