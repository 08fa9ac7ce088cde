import DHCPv4

/// The counter slots of leasequery: `leasequery.<transport>.<query>.<result>` (docs/metrics.md,
/// `shadowdhcp_leasequery_total`), `Malformed` as the query of a query that has no type.
struct LeasequeryCounterSlots: Sendable {
    static let transports = ["udp", "tcp"]
    static let queries = ["Address", "MAC", "ClientID", "RelayID", "RemoteID", "Malformed"]
    private let base: Int

    init(in table: inout CounterTable) {
        var first = -1
        for t in Self.transports {
            for q in Self.queries {
                for r in LeasequeryResult.allCases {
                    let slot = table.slot("leasequery.\(t).\(q).\(r.rawValue)")
                    if first < 0 { first = slot }
                }
            }
        }
        base = first
    }

    /// The slot for a query over `tcp` (else UDP) of type `query` (nil: malformed) answered `result`.
    func slot(tcp: Bool, query: String?, result: LeasequeryResult) -> Int {
        let q = query.flatMap { Self.queries.firstIndex(of: $0) } ?? Self.queries.count - 1
        let r = LeasequeryResult.allCases.firstIndex(of: result) ?? 0
        return base + ((tcp ? 1 : 0) * Self.queries.count + q) * LeasequeryResult.allCases.count + r
    }
}
