/// One change to the reservation set, as the management commands `reservation-add`,
/// `reservation-update`, `reservation-delete` and `reservation-changes` request it. A plain value,
/// so that it can travel from the management process to the master unchanged.
public struct ReservationChange: Hashable, Sendable {
    public enum Operation: Hashable, Sendable {
        /// Adds a new entry; none of its keys or addresses may be in use.
        case add(Reservation)
        /// Replaces the entry `match` names — or, without `match`, the one entry that has any of
        /// the new reservation's keys (mac, duid, option82, option1837) — by the new reservation.
        case update(match: ReservationKey?, Reservation)
        /// Removes the entry the key or address names.
        case delete(ReservationKey)
    }

    public var operation: Operation
    /// Where the change stands in its request; its error messages start with it: the path of
    /// the reservation object for an add or update (`reservation-add.reservations[0]`,
    /// `reservation-update.reservation`), of the object holding the key for a delete
    /// (`reservation-delete`, `reservation-changes.changes[2].delete`). An update's `match` is
    /// named as the sibling `match` of the reservation (`reservation-update.match`).
    public var source: String

    public init(_ operation: Operation, source: String) {
        self.operation = operation
        self.source = source
    }
}

/// What a successful batch of changes did.
public struct ChangeCounts: Hashable, Sendable {
    public var added = 0
    public var updated = 0
    public var deleted = 0

    public init(added: Int = 0, updated: Int = 0, deleted: Int = 0) {
        self.added = added
        self.updated = updated
        self.deleted = deleted
    }

    /// `Added 1, updated 0, deleted 2 reservations`-style text for a response.
    public var summary: String {
        var parts: [String] = []
        if added > 0 { parts.append("added \(added)") }
        if updated > 0 { parts.append("updated \(updated)") }
        if deleted > 0 { parts.append("deleted \(deleted)") }
        let total = added + updated + deleted
        let text = parts.isEmpty ? "no change" : parts.joined(separator: ", ")
        return text.prefix(1).uppercased() + text.dropFirst() + " reservation" + (total == 1 ? "" : "s")
    }

    public static func + (a: ChangeCounts, b: ChangeCounts) -> ChangeCounts {
        ChangeCounts(added: a.added + b.added, updated: a.updated + b.updated, deleted: a.deleted + b.deleted)
    }
}

/// A change as a commit sends it to the master (docs/ipc.md, `changes-request`): what a
/// ``ReservationChange`` did once applied, with the entry it replaced or removed named by its
/// `ipv4` — present in every entry and unique — instead of the request's key. Applying the same
/// list to the same set (``ReservationStore/apply(resolved:)``) gives the same set, whatever the
/// order of its entries.
public enum ResolvedChange: Hashable, Sendable {
    case add(Reservation)
    /// The entry with this `ipv4` becomes the reservation.
    case replace(IPv4Address, Reservation)
    /// The entry with this `ipv4` goes.
    case delete(IPv4Address)
}
