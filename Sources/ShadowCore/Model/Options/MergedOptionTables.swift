import Synchronization

/// The merged tables of reservations that set options of their own, built the first time a reply
/// needs one and kept for the snapshot they belong to, so that such a reply allocates nothing
/// after the first (docs/dhcpv4.md, "Options"). Keyed by the reply's subnet and the reservation's
/// interned set (``ReservationSnapshot/optionSetIndexes(at:)``): every reservation of one set in
/// one subnet shares one table. A new snapshot starts an empty cache; past ``limit`` tables a
/// reply builds its own table, as without the cache.
public final class MergedOptionTables: Sendable {
    /// Most tables kept per snapshot.
    public static let limit = 4096

    private struct Key: Hashable {
        var subnet: Int
        var set: Int
    }

    private struct State {
        var snapshot: ObjectIdentifier?
        var generation: UInt64 = 0
        var tables: [Key: DHCPOptionTable] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// The table for reservations of set `set` answered in subnet `subnet` (any number naming it,
    /// the same for the same subnet), made by `make` when not kept yet.
    public func table(snapshot: ReservationSnapshot, subnet: Int, set: Int,
                      _ make: () -> DHCPOptionTable) -> DHCPOptionTable {
        let key = Key(subnet: subnet, set: set)
        let id = ObjectIdentifier(snapshot)
        if let kept = state.withLock({ s -> DHCPOptionTable? in
            guard s.snapshot == id, s.generation == snapshot.generation else { return nil }
            return s.tables[key]
        }) {
            return kept
        }
        let table = make()
        state.withLock { s in
            if s.snapshot != id || s.generation != snapshot.generation {
                s = State(snapshot: id, generation: snapshot.generation, tables: [:])
            }
            if s.tables.count < Self.limit { s.tables[key] = table }
        }
        return table
    }

    /// Tables kept now (for tests).
    public var count: Int { state.withLock { $0.tables.count } }
}
