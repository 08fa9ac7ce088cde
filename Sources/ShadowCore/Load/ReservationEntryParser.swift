/// Parses single reservation objects found anywhere in a larger document — the entries of a
/// management change request — with exactly the per-entry rules of ``ReservationLoader`` (fields,
/// keys, `subnets_v4`), each named in messages by the label the caller gives. Uniqueness across
/// the set is checked later, when the change is applied (``ReservationStore``).
public struct ReservationEntryParser {
    private var parser: ReservationParser

    public init(subnets: [SubnetV4], msClasslessRoutes: Bool = false) {
        parser = ReservationParser(source: "", subnets: subnets, msClasslessRoutes: msClasslessRoutes)
    }

    /// Every error so far, each `LABEL.FIELD: message`.
    public var errors: DiagnosticList { parser.errors }
    /// Every warning so far (`ipv6_pd` host bits cleared, only DHCPv6 keys).
    public var warnings: DiagnosticList { parser.warnings }

    /// Parses the object at the reader's position; nil when it has an error (recorded in ``errors``).
    public mutating func parse(_ reader: inout JSONReader, label: String) throws(JSONSyntaxError) -> Reservation? {
        parser.label = label
        let before = parser.errors.count
        try parser.parseEntry(&reader, index: 0)
        let r = parser.reservations.removeLast()
        parser.unusable = [:]
        return parser.errors.count == before ? r : nil
    }
}
