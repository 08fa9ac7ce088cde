import DHCPv6

/// The slots of the `leasequery.<QueryType>.<Result>` counters (docs/metrics.md,
/// `shadowdhcp_leasequery_total`): every query type (and `Unknown`) with every result, handed out
/// once, so counting a query is an array increment.
struct LeasequeryCounterSlots: Sendable {
    private let slots: [[Int]]

    init(in table: inout CounterTable) {
        var s: [[Int]] = []
        for type in LeasequeryQueryType.allCases.map(\.name) + ["Unknown"] {
            s.append(LeasequeryResult.allCases.map { table.slot("leasequery.\(type).\($0.rawValue)") })
        }
        slots = s
    }

    subscript(_ type: LeasequeryQueryType?, _ result: LeasequeryResult) -> Int {
        let row = type.map { Int($0.rawValue) - 1 } ?? LeasequeryQueryType.allCases.count
        return slots[row][LeasequeryResult.allCases.firstIndex(of: result) ?? 0]
    }
}
