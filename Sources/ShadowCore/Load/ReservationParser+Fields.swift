/// Reading the individual fields of one reservation object.
extension ReservationParser {
    mutating func parseField(_ r: inout JSONReader, _ key: JSONStringToken, _ index: Int, _ d: inout Draft)
        throws(JSONSyntaxError) {
        guard let field = ReservationField(token: key) else {
            errors.append(Diagnostic(.error, "\(location(index)).\(key.string)",
                                     "unknown field; allowed: \(ReservationField.allowedList)"))
            try r.skipValue()
            return
        }
        if d.seen.contains(field) {
            error(index, field, "duplicate field")
            d.invalid.insert(field)
            try r.skipValue()
            return
        }
        d.seen.insert(field)
        if try r.readNullIfPresent() { return }
        d.given.insert(field)
        var ok = true
        switch field {
        case .ipv4: ok = try scalar(&r, index, field, &d.ipv4, "IPv4 address", FastScalars.ipv4, IPv4Address.init)
        case .ipv6NA: ok = try scalar(&r, index, field, &d.ipv6NA, "IPv6 address", FastScalars.ipv6, IPv6Address.init)
        case .ipv6PD: ok = try prefix(&r, index, &d.ipv6PD)
        case .mac: ok = try scalar(&r, index, field, &d.mac, "MAC address", FastScalars.mac, MACAddress.init)
        case .duid: ok = try duid(&r, index, &d.duid)
        case .option82: ok = try option82(&r, index, &d.option82)
        case .option1837: ok = try option1837(&r, index, &d.option1837)
        case .v4LeaseTime: ok = try leaseTime(&r, index, field, &d.optionsV4.leaseTime)
        case .v6LeaseTime: ok = try leaseTime(&r, index, field, &d.optionsV6.leaseTime)
        case .optionsV4: ok = try options(&r, index, .v4, &d.optionsV4)
        case .optionsV6: ok = try options(&r, index, .v6, &d.optionsV6)
        }
        if !ok { d.invalid.insert(field) }
    }

    /// Reads a string, reporting any other type. Nil after a type error (value skipped).
    mutating func string(_ r: inout JSONReader, _ index: Int, _ field: ReservationField,
                         _ member: String? = nil) throws(JSONSyntaxError) -> String? {
        let kind = try r.nextKind()
        guard kind == .string else {
            error(index, field, member: member, "expected a string, got \(kind.withArticle)")
            try r.skipValue()
            return nil
        }
        return try r.readString()
    }

    /// A string value parsed by `fast` (raw ASCII bytes) or else by the model's `parse`.
    mutating func scalar<T>(_ r: inout JSONReader, _ index: Int, _ field: ReservationField, _ out: inout T?,
                            _ what: String, _ fast: (UnsafeRawBufferPointer) -> T?,
                            _ parse: (String) -> T?) throws(JSONSyntaxError) -> Bool {
        let kind = try r.nextKind()
        guard kind == .string else {
            error(index, field, "expected a string, got \(kind.withArticle)")
            try r.skipValue()
            return false
        }
        let token = try r.readStringToken()
        if case .raw(let bytes) = token, let v = fast(bytes) {
            out = v
            return true
        }
        let s = token.string
        guard let v = parse(s) else {
            error(index, field, "invalid \(what) \(quoted(s)); expected \(ReservationParser.format(field))")
            return false
        }
        out = v
        return true
    }

    /// `ipv6_pd`: masked to its network; host bits are a warning.
    mutating func prefix(_ r: inout JSONReader, _ index: Int, _ out: inout IPv6Prefix?) throws(JSONSyntaxError) -> Bool {
        var p: IPv6Prefix?
        guard try scalar(&r, index, .ipv6PD, &p, "IPv6 prefix", FastScalars.ipv6Prefix, IPv6Prefix.init), let p else { return false }
        if p.hasHostBits {
            warning(index, .ipv6PD, "\(p) has host bits set; using \(p.masked)")
        }
        out = p.masked
        return true
    }

    mutating func duid(_ r: inout JSONReader, _ index: Int, _ out: inout DUID?) throws(JSONSyntaxError) -> Bool {
        let kind = try r.nextKind()
        guard kind == .string else {
            error(index, .duid, "expected a string, got \(kind.withArticle)")
            try r.skipValue()
            return false
        }
        let token = try r.readStringToken()
        if case .raw(let bytes) = token, let v = FastScalars.duid(bytes) {
            out = v
            return true
        }
        let s = token.string
        switch DUID.parse(s) {
        case .success(let d):
            out = d
            return true
        case .failure(let e):
            error(index, .duid, "\(e) \(quoted(s)); expected \(ReservationParser.format(.duid))")
            return false
        }
    }

    static func format(_ field: ReservationField) -> String {
        switch field {
        case .ipv4: "a dotted quad such as 192.0.2.1, without leading zeros"
        case .ipv6NA: "an address such as 2001:db8::1, without zone"
        case .ipv6PD: "addr/len with len 0-128, such as 2001:db8:100::/56"
        case .mac: "00-11-22-33-44-55, 00:11:22:33:44:55, 001122334455, 0x001122334455 or 0011.2233.4455"
        case .duid: "hex bytes separated by ':' or '-', such as 00:03:00:01:00:11:22:33:44:55"
        case .option82, .option1837, .optionsV4, .optionsV6: "an object"
        case .v4LeaseTime, .v6LeaseTime: "seconds, 0-4294967295"
        }
    }
}
