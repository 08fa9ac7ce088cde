/// The `option82` and `option1837` objects of a reservation.
extension ReservationParser {
    mutating func option82(_ r: inout JSONReader, _ index: Int, _ out: inout Option82?) throws(JSONSyntaxError) -> Bool {
        var value = Option82()
        var ok = true
        let allowed = ReservationField.option82Members
        let isObject = try members(&r, index, .option82, allowed) { (p, r, name) throws(JSONSyntaxError) in
            guard let s = try p.string(&r, index, .option82, name) else { ok = false; return }
            if s.isEmpty {
                p.error(index, .option82, member: name, "an empty string can never match (relays do not send empty sub-options)")
                ok = false
                return
            }
            switch name {
            case "circuit": value.circuit = s
            case "remote": value.remote = s
            default: value.subscriber = s
            }
        } invalid: { ok = false }
        guard isObject, ok else { return false }
        if value.isEmpty {
            error(index, .option82, "an empty object can never match; give at least one of circuit, remote, subscriber")
            return false
        }
        out = value
        return true
    }

    mutating func option1837(_ r: inout JSONReader, _ index: Int, _ out: inout Option1837?) throws(JSONSyntaxError) -> Bool {
        var value = Option1837()
        var ok = true
        let allowed = ReservationField.option1837Members
        let isObject = try members(&r, index, .option1837, allowed) { (p, r, name) throws(JSONSyntaxError) in
            if name == "enterprise_number" {
                if let n = try p.enterpriseNumber(&r, index) { value.enterpriseNumber = n } else { ok = false }
                return
            }
            guard let s = try p.string(&r, index, .option1837, name) else { ok = false; return }
            if s.isEmpty {
                p.error(index, .option1837, member: name, "an empty string can never match")
                ok = false
            } else if name == "interface" {
                value.interface = s
            } else {
                value.remote = s
            }
        } invalid: { ok = false }
        guard isObject, ok else { return false }
        if value.interface == nil && value.remote == nil {
            error(index, .option1837, "can never match without interface or remote; give at least one of them")
            return false
        }
        if value.enterpriseNumber != nil && value.remote == nil {
            error(index, .option1837, "enterprise_number without remote can never match "
                  + "(the enterprise number travels in option 37 with the remote-id)")
            return false
        }
        out = value
        return true
    }

    /// Walks an object's members: unknown and repeated names are errors, null members are
    /// skipped, the others go to `member`. False (and the value skipped) when it is no object.
    mutating func members(_ r: inout JSONReader, _ index: Int, _ field: ReservationField, _ allowed: [String],
                          _ member: (inout ReservationParser, inout JSONReader, String) throws(JSONSyntaxError) -> Void,
                          invalid: () -> Void) throws(JSONSyntaxError) -> Bool {
        let kind = try r.nextKind()
        guard kind == .object else {
            error(index, field, "expected an object, got \(kind.withArticle)")
            try r.skipValue()
            return false
        }
        try r.beginObject()
        var seen: UInt8 = 0
        while let token = try r.nextKeyToken() {
            guard let i = ReservationParser.match(token, allowed) else {
                error(index, field, member: token.string, "unknown field; allowed: \(allowed.joined(separator: ", "))")
                invalid()
                try r.skipValue()
                continue
            }
            if seen & (1 << i) != 0 {
                error(index, field, member: allowed[i], "duplicate field")
                invalid()
                try r.skipValue()
                continue
            }
            seen |= 1 << i
            if try r.readNullIfPresent() { continue }
            try member(&self, &r, allowed[i])
        }
        return true
    }

    /// The position of a member name in `allowed`, compared without building a `String`.
    static func match(_ token: JSONStringToken, _ allowed: [String]) -> Int? {
        switch token {
        case .raw(let bytes):
            allowed.firstIndex { name in
                name.utf8.count == bytes.count
                    && (name.utf8.withContiguousStorageIfAvailable { memoryEqual(UnsafeRawBufferPointer($0), bytes) }
                        ?? name.utf8.elementsEqual(bytes))
            }
        case .decoded(let s): allowed.firstIndex(of: s)
        }
    }

    mutating func enterpriseNumber(_ r: inout JSONReader, _ index: Int) throws(JSONSyntaxError) -> UInt32? {
        let kind = try r.nextKind()
        guard kind == .number else {
            error(index, .option1837, member: "enterprise_number", "expected an integer, got \(kind.withArticle)")
            try r.skipValue()
            return nil
        }
        let n = try r.readNumber()
        if let problem = integerProblem(n, 0...Int64(UInt32.max)) {
            error(index, .option1837, member: "enterprise_number", problem)
            return nil
        }
        return UInt32(n.int64!)
    }
}
