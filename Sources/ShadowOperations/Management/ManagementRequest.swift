import ShadowCore

/// One parsed and validated management request (docs/management.md plus this port's commands).
public enum ManagementRequest: Sendable, Equatable {
    /// Index entries of the live snapshot.
    case status
    /// Re-read `reservations.json` (the SIGHUP code path).
    case reload
    /// Replace every reservation: already validated, with the bytes to persist.
    case replace(Replacement)
    /// Per-worker process facts.
    case workers
    /// Per-protocol counters.
    case stats
    /// Which reservation the server would answer for a key, and how.
    case lookup(LookupQuery)
    /// The binding-table size, and the entry for one MAC when given.
    case bindings(mac: MACAddress?)
    /// Program version.
    case version
    /// The HA peers' states (docs/high-availability.md).
    case peers
    /// Reservations served within their lease time, per protocol and DHCPv4 subnet.
    case online
    /// `reservation-add`, `reservation-update`, `reservation-delete`, `reservation-changes`: changes
    /// to single entries, each already checked on its own (fields, keys, `subnets_v4`).
    case changes(ChangeRequest)
    /// `reservation-get`: the entry that one key or address names, from the live snapshot.
    case reservationGet(ReservationKey)
    /// `reservations-list`: entries `from ..< from + limit` of the live snapshot.
    case reservationsList(from: Int, limit: Int)
    /// `diff`: what a `replace` with these reservations (validated exactly as `replace` validates
    /// them) would change in the live set; nothing is applied.
    case diff(reservations: [Reservation], warnings: [String])
    /// `explain`: the workers' lookup walked step by step for one client, and the verdict.
    case explain(ExplainQuery)

    /// A parsed change request: its changes in order (applied all or nothing) and the warnings
    /// its entries produced.
    public struct ChangeRequest: Sendable, Equatable {
        public var changes: [ReservationChange]
        public var warnings: [String]

        public init(changes: [ReservationChange], warnings: [String] = []) {
            self.changes = changes
            self.warnings = warnings
        }
    }

    /// `reservations-list` without `limit`, and the largest `limit` allowed.
    public static let defaultListLimit = 100
    public static let maxListLimit = 10_000

    /// A validated `replace` payload. The new file is written by the master from what it
    /// decodes and validates again (docs/management.md), so nothing here is in the file's form.
    public struct Replacement: Sendable, Equatable {
        public var reservations: [Reservation]
        /// Warnings found while loading (e.g. `ipv6_pd` host bits cleared), as lines.
        public var warnings: [String]

        public init(reservations: [Reservation], warnings: [String] = []) {
            self.reservations = reservations
            self.warnings = warnings
        }
    }

    /// Every command name, in the order messages list them.
    public static let commandNames = ["status", "reload", "replace", "workers", "stats", "lookup", "bindings",
                                      "version", "peers", "online", "reservation-add", "reservation-update", "reservation-delete",
                                      "reservation-changes", "reservation-get", "reservations-list", "diff",
                                      "explain"]
}

/// The key a `lookup` asks about.
public enum LookupQuery: Sendable, Equatable {
    /// A client MAC (chaddr for DHCPv4; what a MAC extractor yields for DHCPv6).
    case mac(MACAddress)
    /// A DHCPv6 Client Identifier.
    case duid(DUID)
    /// An Option 82 as the relay sends it (the Option 82 extractors run over it).
    case option82(Option82)
    /// Option 18/37 as the relay sends them (the Option 18/37 extractors run over them).
    case option1837(Option1837)
}

/// Why a request line was refused: the text after `Invalid request: `, and for a `replace`
/// with an invalid set, every error line.
public struct ManagementRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// Every validation error (empty for a malformed request).
    public var errors: [String]
    /// The request's `token` was malformed (wrong type or length): a failed authentication.
    public var badToken: Bool

    public init(_ message: String, errors: [String] = [], badToken: Bool = false) {
        self.message = message
        self.errors = errors
        self.badToken = badToken
    }

    public var description: String { message }

    /// The response: `{"success":false,"error":"Invalid request: …"}`, plus `errors` when there
    /// are validation errors.
    public var response: ManagementResponse {
        .failure("Invalid request: " + message, errors.isEmpty ? [] : [.strings("errors", errors)])
    }
}
