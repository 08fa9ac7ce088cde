import ShadowCore
import ShadowSystem

extension ManagementRequest {
    /// Parses one request line (without or with its `\n`): a JSON object tagged by `command`.
    ///
    /// Extra top-level fields are ignored, as upstream does. A `replace` is validated completely
    /// here (``ReservationLoader``, source `replace.reservations`) against `subnets`; every error
    /// found is returned.
    public static func parse(_ line: [UInt8], subnets: [SubnetV4], msClasslessRoutes: Bool = false) -> Result<ManagementRequest, ManagementRequestError> {
        line.withUnsafeBytes { parse($0, subnets: subnets, msClasslessRoutes: msClasslessRoutes) }
    }

    /// ``parse(_:subnets:)`` over bytes the caller keeps alive (a request buffer, no copy).
    public static func parse(_ line: UnsafeRawBufferPointer,
                             subnets: [SubnetV4], msClasslessRoutes: Bool = false) -> Result<ManagementRequest, ManagementRequestError> {
        do {
            let top = try TopLevel.scan(line)
            return .success(try top.request(line, subnets: subnets, msClasslessRoutes: msClasslessRoutes))
        } catch let e as ManagementRequestError {
            return .failure(e)
        } catch {
            return .failure(ManagementRequestError("\(error)"))
        }
    }
}

/// The top-level members of a request: the command, the small fields, and where the
/// `reservations` value lies (it is validated only for `replace`).
struct TopLevel {
    var command: String?
    /// `token`, checked to be a string of an acceptable length.
    var token: String?
    var fields: [String: JSONValue] = [:]
    /// Where the large members lie (`reservations`, `reservation`, `changes`): parsed only for the
    /// commands that use them.
    var ranges: [String: Range<Int>] = [:]

    /// Members whose values are parsed into trees (all small).
    static let smallFields: Set<String> = ["mac", "duid", "option82", "option1837", "ipv4", "ipv6_na", "ipv6_pd",
                                           "match", "from", "limit", "v6", "relay", "client_linklayer", "peer_address"]
    static let largeFields: Set<String> = ["reservations", "reservation", "changes"]

    /// Walks the object once, checking its grammar and that nothing follows it.
    static func scan(_ bytes: UnsafeRawBufferPointer) throws -> TopLevel {
        var reader = JSONReader(bytes)
        var top = TopLevel()
        let kind = try reader.nextKind()
        guard kind == .object else {
            try reader.skipValue() // a syntax error is the better message: `nul`, `not json`
            throw ManagementRequestError("expected a JSON object, got \(kind.withArticle)")
        }
        try reader.beginObject()
        var seen = Set<String>()
        while let key = try reader.nextKey() {
            guard seen.insert(key).inserted else { throw ManagementRequestError("duplicate field `\(key)`") }
            try top.read(member: key, &reader)
        }
        try reader.finish()
        return top
    }

    private mutating func read(member key: String, _ reader: inout JSONReader) throws {
        switch key {
        case "command":
            let kind = try reader.nextKind()
            guard kind == .string else {
                throw ManagementRequestError("`command` must be a string, got \(kind.withArticle)")
            }
            command = try reader.readString()
        case "token":
            token = try Self.token(&reader)
        case _ where TopLevel.largeFields.contains(key):
            _ = try reader.nextKind()
            let start = reader.offset
            try reader.skipValue()
            ranges[key] = start..<reader.offset
        case _ where TopLevel.smallFields.contains(key):
            fields[key] = try JSONValue.parse(&reader)
        default:
            try reader.skipValue()
        }
    }

    /// The `token` member: a string of ``TokenDigest/lengthRange`` characters.
    static func token(_ reader: inout JSONReader) throws -> String {
        let kind = try reader.nextKind()
        guard kind == .string else {
            try reader.skipValue()
            throw ManagementRequestError("`token` must be a string, got \(kind.withArticle)", badToken: true)
        }
        let token = try reader.readString()
        let range = TokenDigest.lengthRange
        guard range.contains(token.utf8.count) else {
            throw ManagementRequestError("`token` must be \(range.lowerBound) to \(range.upperBound) characters, "
                                         + "got \(token.utf8.count)", badToken: true)
        }
        return token
    }

    /// The leading `command` and `token` of a request of which only a prefix has arrived: read
    /// until the first other member (or the end of the prefix). Used to authorise a large
    /// request before it is buffered.
    static func leadingCredentials(_ prefix: UnsafeRawBufferPointer) -> (command: String?, token: String?) {
        var reader = JSONReader(prefix)
        var command: String?
        var token: String?
        do {
            guard try reader.nextKind() == .object else { return (nil, nil) }
            try reader.beginObject()
            while let key = try reader.nextKey() {
                switch key {
                case "command" where command == nil:
                    guard try reader.nextKind() == .string else { return (command, token) }
                    command = try reader.readString()
                case "token" where token == nil:
                    token = try Self.token(&reader)
                default:
                    return (command, token)
                }
            }
        } catch {}
        return (command, token)
    }

    /// The request named by `command`, with its fields checked.
    func request(_ bytes: UnsafeRawBufferPointer, subnets: [SubnetV4], msClasslessRoutes: Bool = false) throws -> ManagementRequest {
        guard let command else { throw ManagementRequestError("missing field `command`") }
        switch command {
        case "status": return .status
        case "reload": return .reload
        case "replace": return .replace(try replacement(bytes, subnets: subnets, msClasslessRoutes: msClasslessRoutes))
        case "workers": return .workers
        case "stats": return .stats
        case "lookup": return .lookup(try LookupFields(fields).query())
        case "bindings": return .bindings(mac: try LookupFields(fields).optionalMAC())
        case "version": return .version
        case "peers": return .peers
        case "online": return .online
        case "reservation-add", "reservation-update", "reservation-delete", "reservation-changes":
            return .changes(try changeRequest(command, bytes, subnets: subnets, msClasslessRoutes: msClasslessRoutes))
        case "reservation-get": return .reservationGet(try LookupFields(fields).reservationKey(path: command))
        case "reservations-list": return try listRequest()
        case "diff":
            let loaded = try replaceReservations(bytes, subnets: subnets, msClasslessRoutes: msClasslessRoutes)
            return .diff(reservations: loaded.value, warnings: loaded.warnings.lines)
        case "explain": return .explain(try ExplainFields(fields).query())
        default:
            let expected = ManagementRequest.commandNames.map { "`\($0)`" }.joined(separator: ", ")
            throw ManagementRequestError("unknown command `\(command)`, expected one of \(expected)")
        }
    }

    private func replacement(_ bytes: UnsafeRawBufferPointer, subnets: [SubnetV4], msClasslessRoutes: Bool = false) throws -> ManagementRequest.Replacement {
        let loaded = try replaceReservations(bytes, subnets: subnets, msClasslessRoutes: msClasslessRoutes)
        return ManagementRequest.Replacement(reservations: loaded.value, warnings: loaded.warnings.lines)
    }

    /// The request's `reservations`, validated as `replace` validates them (``ReservationLoader``,
    /// source `replace.reservations`, against `subnets`): `replace` and `diff` give the same errors.
    private func replaceReservations(_ bytes: UnsafeRawBufferPointer,
                                     subnets: [SubnetV4], msClasslessRoutes: Bool = false) throws -> Loaded<[Reservation]> {
        guard let range = ranges["reservations"] else { throw ManagementRequestError("missing field `reservations`") }
        var reader = JSONReader(UnsafeRawBufferPointer(rebasing: bytes[range]))
        do {
            return try ReservationLoader.load(from: &reader, subnets: subnets, source: "replace.reservations",
                                              msClasslessRoutes: msClasslessRoutes, work: .threads)
        } catch {
            let lines = error.errors.lines
            throw ManagementRequestError(lines.joined(separator: "\n"), errors: lines)
        }
    }
}
