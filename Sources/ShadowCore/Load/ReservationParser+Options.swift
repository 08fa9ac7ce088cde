/// The option fields of a reservation: `options_v4`, `options_v6` (parsed through the same
/// ``TreeDecoder`` rules as config.json's levels, a slower path only entries with options take)
/// and `v4_lease_time` / `v6_lease_time`.
extension ReservationParser {
    mutating func leaseTime(_ r: inout JSONReader, _ index: Int, _ field: ReservationField,
                            _ out: inout UInt32?) throws(JSONSyntaxError) -> Bool {
        let kind = try r.nextKind()
        guard kind == .number else {
            error(index, field, "expected an integer, got \(kind.withArticle)")
            try r.skipValue()
            return false
        }
        let n = try r.readNumber()
        if let problem = integerProblem(n, 0...Int64(UInt32.max)) {
            error(index, field, problem)
            return false
        }
        out = UInt32(n.int64!)
        return true
    }

    /// Keeps the lease time already read into `out` (the sibling `v4_lease_time` field).
    mutating func options(_ r: inout JSONReader, _ index: Int, _ family: OptionFamily,
                          _ out: inout DHCPOptionSet) throws(JSONSyntaxError) -> Bool {
        let value = try JSONValue.parse(&r)
        var d = TreeDecoder(file: location(index), separator: ".")
        d.errors = DiagnosticList(limit: max(0, errors.limit - errors.items.count))
        let set = d.optionLevel(value, at: family.levelKey, family, .reservation, msClasslessRoutes: msClasslessRoutes)
        for e in d.errors.items { errors.append(e) }
        for _ in d.errors.items.count..<d.errors.count { errors.append(Diagnostic(.error, location(index), "")) }
        guard let set else { return false }
        let lease = out.leaseTime
        out = set
        out.leaseTime = lease
        return true
    }
}
