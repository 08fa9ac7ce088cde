/// Loads a reservations array (the `reservations.json` file or the `reservations` member of a
/// management `replace` request) and validates it as a whole.
///
/// All-or-nothing: the result is every reservation plus the warnings, or every error found (each
/// as `<source>[INDEX].FIELD: message`). Host bits of `ipv6_pd` are cleared (a warning).
public enum ReservationLoader {
    /// Loads a whole file: one JSON array and nothing after it.
    ///
    /// - Parameters:
    ///   - bytes: the file contents.
    ///   - subnets: `subnets_v4` of the configuration; every `ipv4` must be inside one of them.
    ///   - source: what messages call the array, e.g. `reservations.json`.
    public static func load(_ bytes: [UInt8], subnets: [SubnetV4], source: String = "reservations.json")
        throws(LoadError) -> Loaded<[Reservation]> {
        try JSONReader.withReader(bytes) { (reader: inout JSONReader) throws(LoadError) -> Loaded<[Reservation]> in
            try load(from: &reader, subnets: subnets, source: source, requireEnd: true)
        }
    }

    /// Loads the array at the reader's position and leaves the reader after it, so that a larger
    /// document (a management `replace` request) can embed it. `source` names it in messages,
    /// e.g. `replace.reservations`.
    public static func load(from reader: inout JSONReader, subnets: [SubnetV4], source: String)
        throws(LoadError) -> Loaded<[Reservation]> {
        try load(from: &reader, subnets: subnets, source: source, requireEnd: false)
    }

    /// The error and warning cap used by ``load(_:subnets:source:)``.
    public static let diagnosticLimit = DiagnosticList.defaultLimit

    static func load(from reader: inout JSONReader, subnets: [SubnetV4], source: String,
                     requireEnd: Bool) throws(LoadError) -> Loaded<[Reservation]> {
        var parser = ReservationParser(source: source, subnets: subnets)
        do {
            try parser.parseArray(&reader)
            if requireEnd { try reader.finish() }
        } catch {
            parser.errors.append(Diagnostic(.error, source, error.description))
            throw LoadError(errors: parser.errors, warnings: parser.warnings)
        }
        parser.reportDuplicates()
        guard parser.errors.isEmpty else { throw LoadError(errors: parser.errors, warnings: parser.warnings) }
        return Loaded(value: parser.reservations, warnings: parser.warnings)
    }
}
