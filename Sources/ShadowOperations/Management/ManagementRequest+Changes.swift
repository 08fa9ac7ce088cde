import ShadowCore

/// Parsing of the per-entry commands: `reservation-add`, `-update`, `-delete`, `-changes`,
/// `-get` and `reservations-list`.
extension TopLevel {
    /// The changes a change command asks for, each entry checked on its own with the loader's
    /// rules (every error of every entry is reported, named by its path in the request).
    func changeRequest(_ command: String, _ bytes: UnsafeRawBufferPointer,
                       subnets: [SubnetV4], msClasslessRoutes: Bool = false) throws -> ManagementRequest.ChangeRequest {
        var parse = ChangeParser(entries: ReservationEntryParser(subnets: subnets, msClasslessRoutes: msClasslessRoutes))
        func reader(_ name: String) -> JSONReader? {
            ranges[name].map { JSONReader(UnsafeRawBufferPointer(rebasing: bytes[$0])) }
        }
        switch command {
        case "reservation-add":
            if var r = reader("reservation") {
                guard ranges["reservations"] == nil else {
                    throw ManagementRequestError("reservation-add takes `reservation` or `reservations`, not both")
                }
                try parse.add(&r, source: "reservation-add.reservation")
            } else if var r = reader("reservations") {
                let kind = try r.nextKind()
                guard kind == .array else {
                    throw ManagementRequestError("`reservations` must be an array, got \(kind.withArticle)")
                }
                try r.beginArray()
                var i = 0
                while try r.nextElement() {
                    try parse.add(&r, source: "reservation-add.reservations[\(i)]")
                    i += 1
                }
            } else {
                throw ManagementRequestError("missing field `reservation` (or `reservations` for several)")
            }
        case "reservation-update":
            guard var r = reader("reservation") else { throw ManagementRequestError("missing field `reservation`") }
            let match = try fields["match"].flatMap { try ChangeParser.matchKey($0, path: "reservation-update.match") }
            try parse.update(&r, match: match, source: "reservation-update.reservation")
        case "reservation-delete":
            parse.changes.append(ReservationChange(.delete(try LookupFields(fields).reservationKey(path: command)),
                                                   source: command))
        default:
            guard var r = reader("changes") else { throw ManagementRequestError("missing field `changes`") }
            try parse.changesArray(&r)
        }
        guard parse.entries.errors.isEmpty else {
            let lines = parse.entries.errors.lines
            throw ManagementRequestError(lines.joined(separator: "\n"), errors: lines)
        }
        guard !parse.changes.isEmpty else { throw ManagementRequestError("\(command): no change given") }
        return ManagementRequest.ChangeRequest(changes: parse.changes, warnings: parse.entries.warnings.lines)
    }

    /// `reservations-list`: `from` (default 0) and `limit` (default 100, at most 10,000).
    func listRequest() throws -> ManagementRequest {
        let from = try integer("from", default: 0, in: 0...Int(Int32.max))
        let limit = try integer("limit", default: ManagementRequest.defaultListLimit,
                                in: 1...ManagementRequest.maxListLimit)
        return .reservationsList(from: from, limit: limit)
    }

    private func integer(_ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let v = fields[name], v != .null else { return value }
        guard case .number(let n) = v, let i = n.int64, range.contains(Int(i)) else {
            throw ManagementRequestError("`\(name)` must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return Int(i)
    }
}

/// Collects the changes of one request and the per-entry errors.
struct ChangeParser {
    var entries: ReservationEntryParser
    var changes: [ReservationChange] = []

    mutating func add(_ r: inout JSONReader, source: String) throws {
        if let entry = try entries.parse(&r, label: source) { changes.append(ReservationChange(.add(entry), source: source)) }
    }

    mutating func update(_ r: inout JSONReader, match: ReservationKey?, source: String) throws {
        if let entry = try entries.parse(&r, label: source) {
            changes.append(ReservationChange(.update(match: match, entry), source: source))
        }
    }

    /// `[{"add":{…}}, {"update":{…},"match":{…}}, {"delete":{"mac":…}}, …]`.
    mutating func changesArray(_ r: inout JSONReader) throws {
        let kind = try r.nextKind()
        guard kind == .array else { throw ManagementRequestError("`changes` must be an array, got \(kind.withArticle)") }
        try r.beginArray()
        var i = 0
        while try r.nextElement() {
            try change(&r, path: "reservation-changes.changes[\(i)]")
            i += 1
        }
    }

    private mutating func change(_ r: inout JSONReader, path: String) throws {
        let kind = try r.nextKind()
        guard kind == .object else { throw ManagementRequestError("`\(path)` must be an object, got \(kind.withArticle)") }
        try r.beginObject()
        var verb: String?
        var match: ReservationKey?
        var pending: Reservation??
        while let key = try r.nextKey() {
            switch key {
            case "add", "update":
                guard verb == nil else { throw ManagementRequestError("`\(path)` needs exactly one of `add`, `update`, `delete`") }
                verb = key
                pending = .some(try entries.parse(&r, label: "\(path).\(key)"))
            case "delete":
                guard verb == nil else { throw ManagementRequestError("`\(path)` needs exactly one of `add`, `update`, `delete`") }
                verb = key
                let value = try JSONValue.parse(&r)
                guard case .object(let members) = value else {
                    throw ManagementRequestError("`\(path).delete` must be an object with one key, got \(value.kind.withArticle)")
                }
                let fields = Dictionary(members.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
                changes.append(ReservationChange(.delete(try LookupFields(fields).reservationKey(path: "\(path).delete")),
                                                 source: "\(path).delete"))
            case "match":
                match = try ChangeParser.matchKey(try JSONValue.parse(&r), path: "\(path).match")
            default:
                throw ManagementRequestError("`\(path).\(key)`: unknown field; allowed: add, update, delete, match")
            }
        }
        guard let verb else { throw ManagementRequestError("`\(path)` needs exactly one of `add`, `update`, `delete`") }
        if match != nil && verb != "update" { throw ManagementRequestError("`\(path).match` is only for `update`") }
        guard case .some(.some(let entry)) = pending else { return }
        let source = "\(path).\(verb)"
        changes.append(ReservationChange(verb == "add" ? .add(entry) : .update(match: match, entry), source: source))
    }

    /// `match`: an object with exactly one key or address; `null` is no match.
    static func matchKey(_ value: JSONValue, path: String) throws -> ReservationKey? {
        if value == .null { return nil }
        guard case .object(let members) = value else {
            throw ManagementRequestError("`\(path)` must be an object with one key, got \(value.kind.withArticle)")
        }
        let fields = Dictionary(members.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        return try LookupFields(fields).reservationKey(path: path)
    }
}

extension LookupFields {
    static let reservationKeyNames = ["mac", "duid", "option82", "option1837", "ipv4", "ipv6_na", "ipv6_pd"]

    /// Exactly one key or address, named in errors by `path` (e.g. `reservation-delete`).
    func reservationKey(path: String) throws -> ReservationKey {
        let given = Self.reservationKeyNames.filter { fields[$0] != nil && fields[$0] != .null }
        guard given.count == 1 else {
            throw ManagementRequestError("\(path) needs exactly one of "
                + Self.reservationKeyNames.map { "`\($0)`" }.joined(separator: ", ")
                + (given.isEmpty ? "" : ", got " + given.map { "`\($0)`" }.joined(separator: ", ")))
        }
        let v = fields[given[0]]!
        do {
            switch given[0] {
            case "mac": return .mac(try mac(v))
            case "duid": return .duid(try duid(v))
            case "option82": return .option82(try option82(v))
            case "option1837": return .option1837(try option1837(v))
            case "ipv4":
                let s = try string(v, "ipv4")
                guard let a = IPv4Address(s) else { throw ManagementRequestError("`ipv4`: invalid IPv4 address \"\(s)\"") }
                return .ipv4(a)
            case "ipv6_na":
                let s = try string(v, "ipv6_na")
                guard let a = IPv6Address(s) else { throw ManagementRequestError("`ipv6_na`: invalid IPv6 address \"\(s)\"") }
                return .ipv6NA(a)
            default:
                let s = try string(v, "ipv6_pd")
                guard let p = IPv6Prefix(s) else {
                    throw ManagementRequestError("`ipv6_pd`: invalid IPv6 prefix \"\(s)\"; expected addr/len such as 2001:db8:100::/56")
                }
                return .ipv6PD(p.masked)
            }
        } catch let e as ManagementRequestError {
            throw ManagementRequestError("\(path): \(e.message)")
        }
    }
}
