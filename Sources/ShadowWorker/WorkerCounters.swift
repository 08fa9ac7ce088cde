import IPC

/// The counters every worker has, whatever its protocol: the first slots of every handler's table.
@usableFromInline
enum CommonCounter: Int, CaseIterable {
    case received
    case dropTruncated
    case dropUnknownSource
    case dropSendFailed
    case eventsDropped
    case bindingsDropped
    /// Storm control: requests not answered because their client's bucket was empty.
    case dropRateLimitedClient
    /// Storm control: requests not answered because their relay's bucket was empty.
    case dropRateLimitedRelay

    var name: String {
        switch self {
        case .received: "received"
        case .dropTruncated: "drop.Truncated"
        case .dropUnknownSource: "drop.UnknownSource"
        case .dropSendFailed: "drop.SendFailed"
        case .eventsDropped: "events.dropped"
        case .bindingsDropped: "bindings.dropped"
        case .dropRateLimitedClient: "drop.RateLimitedClient"
        case .dropRateLimitedRelay: "drop.RateLimitedRelay"
        }
    }
}

/// A worker's cumulative counters, one slot per name. Every name is known from the handler's type
/// before the first packet, so counting is an array increment: no hashing, no allocation.
public struct WorkerCounters {
    /// Slot → counter name.
    let names: [String]
    private var values: [UInt64]

    init(names: [String]) {
        self.names = names
        values = Array(repeating: 0, count: names.count)
    }

    mutating func add(_ slot: Int, by n: UInt64 = 1) { values[slot] &+= n }

    mutating func add(_ counter: CommonCounter, by n: UInt64 = 1) { add(counter.rawValue, by: n) }

    /// The counter `name` (0 when there is no such counter).
    subscript(_ name: String) -> UInt64 { names.firstIndex(of: name).map { values[$0] } ?? 0 }

    /// Whether no counter has moved yet.
    var isEmpty: Bool { !values.contains { $0 != 0 } }

    /// The counters that moved, sorted by name: what the worker reports to the master.
    public var reported: [Counter] {
        zip(names, values).filter { $0.1 != 0 }.sorted { $0.0 < $1.0 }.map { Counter(name: $0.0, value: $0.1) }
    }
}

/// The counter names of a handler while its slots are handed out: the common counters first, then
/// each new name once (a name asked for twice, such as `drop.SendFailed`, keeps its slot).
struct CounterTable {
    /// The common counters, then every worker's bulk leasequery connection counters
    /// (`leasequery.connections.<event>`, docs/metrics.md).
    private(set) var names = CommonCounter.allCases.map(\.name)
        + BulkConnectionEvent.allCases.map { "leasequery.connections.\($0.rawValue)" }

    /// The slot of a bulk connection counter (right after the common counters).
    static func slot(_ event: BulkConnectionEvent) -> Int {
        CommonCounter.allCases.count + (BulkConnectionEvent.allCases.firstIndex(of: event) ?? 0)
    }

    mutating func slot(_ name: String) -> Int {
        if let i = names.firstIndex(of: name) { return i }
        names.append(name)
        return names.count - 1
    }
}

/// The slots of the counters named `prefix` + each case's name, plus `prefix` + `Unknown` for nil:
/// a payload-free enum's slot is found per packet by comparing it with at most a dozen cases, not
/// by hashing.
struct CounterSlots<Key: Equatable & Sendable>: Sendable {
    private let keys: [Key]
    private let slots: [Int]
    private let fallback: Int

    init<C: Collection>(_ prefix: String, _ cases: C, in table: inout CounterTable,
                        name: (Key) -> String) where C.Element == Key {
        keys = Array(cases)
        slots = keys.map { table.slot(prefix + name($0)) }
        fallback = table.slot(prefix + "Unknown")
    }

    @inline(__always)
    subscript(_ key: Key?) -> Int {
        guard let key else { return fallback }
        var i = 0
        while i < keys.count {
            if keys[i] == key { return slots[i] }
            i += 1
        }
        return fallback
    }
}
