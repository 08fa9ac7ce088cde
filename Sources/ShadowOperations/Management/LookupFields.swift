import ShadowCore

/// The key fields of a `lookup` or `bindings` request: `mac`, `duid`, `option82`, `option1837`.
struct LookupFields {
    let fields: [String: JSONValue]

    init(_ fields: [String: JSONValue]) { self.fields = fields }

    /// Exactly one key must be given.
    func query() throws -> LookupQuery {
        let given = ["mac", "duid", "option82", "option1837"].filter { fields[$0] != nil && fields[$0] != .null }
        guard given.count == 1 else {
            throw ManagementRequestError("lookup needs exactly one of `mac`, `duid`, `option82`, `option1837`"
                                         + (given.isEmpty ? "" : ", got " + given.map { "`\($0)`" }.joined(separator: ", ")))
        }
        switch given[0] {
        case "mac": return .mac(try mac(fields["mac"]!))
        case "duid": return .duid(try duid(fields["duid"]!))
        case "option82": return .option82(try option82(fields["option82"]!))
        default: return .option1837(try option1837(fields["option1837"]!))
        }
    }

    /// `mac` when present and not null.
    func optionalMAC() throws -> MACAddress? {
        guard let v = fields["mac"], v != .null else { return nil }
        return try mac(v)
    }

    func string(_ v: JSONValue, _ path: String) throws -> String {
        guard case .string(let s) = v else {
            throw ManagementRequestError("`\(path)` must be a string, got \(v.kind.withArticle)")
        }
        return s
    }

    func mac(_ v: JSONValue) throws -> MACAddress {
        let s = try string(v, "mac")
        guard let m = MACAddress(s) else {
            throw ManagementRequestError("`mac`: invalid MAC address \"\(s)\"; expected e.g. 00-11-22-33-44-55")
        }
        return m
    }

    func duid(_ v: JSONValue) throws -> DUID {
        let s = try string(v, "duid")
        switch DUID.parse(s) {
        case .success(let d): return d
        case .failure(let e): throw ManagementRequestError("`duid`: \(e) \"\(s)\"")
        }
    }

    /// The members of an object value, each name one of `allowed`; null members are absent.
    private func members(_ v: JSONValue, _ path: String, allowed: [String]) throws -> [String: JSONValue] {
        guard case .object(let list) = v else {
            throw ManagementRequestError("`\(path)` must be an object, got \(v.kind.withArticle)")
        }
        var out: [String: JSONValue] = [:]
        for m in list {
            guard allowed.contains(m.name) else {
                throw ManagementRequestError("`\(path).\(m.name)`: unknown field; allowed: "
                                             + allowed.joined(separator: ", "))
            }
            if m.value != .null { out[m.name] = m.value }
        }
        guard !out.isEmpty else { throw ManagementRequestError("`\(path)` must have at least one field") }
        return out
    }

    func option82(_ v: JSONValue) throws -> Option82 {
        let m = try members(v, "option82", allowed: ["circuit", "remote", "subscriber"])
        return Option82(circuit: try m["circuit"].map { try string($0, "option82.circuit") },
                        remote: try m["remote"].map { try string($0, "option82.remote") },
                        subscriber: try m["subscriber"].map { try string($0, "option82.subscriber") })
    }

    func option1837(_ v: JSONValue) throws -> Option1837 {
        let m = try members(v, "option1837", allowed: ["interface", "remote", "enterprise_number"])
        var enterprise: UInt32?
        if let e = m["enterprise_number"] {
            guard case .number(let n) = e, n.isInteger, let value = UInt32(n.text) else {
                throw ManagementRequestError("`option1837.enterprise_number` must be an integer from 0 to 4294967295")
            }
            enterprise = value
        }
        return Option1837(interface: try m["interface"].map { try string($0, "option1837.interface") },
                          remote: try m["remote"].map { try string($0, "option1837.remote") },
                          enterpriseNumber: enterprise)
    }
}
