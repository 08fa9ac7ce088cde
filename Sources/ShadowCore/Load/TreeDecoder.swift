/// Reads typed fields out of a parsed ``JSONValue`` and records a ``Diagnostic`` for every
/// problem instead of stopping at the first one. Used for `config.json` and `ids.json`.
struct TreeDecoder {
    /// File name that starts every message, e.g. `config.json`.
    let file: String
    var errors = DiagnosticList()
    /// Between `file` and a path: `: ` in config.json messages (`config.json: subnets_v4[0].net`),
    /// `.` inside a reservation (`reservations.json[12].options_v4.mtu`).
    let separator: String

    init(file: String, separator: String = ": ") {
        self.file = file
        self.separator = separator
    }

    /// The members of one object, `null` members dropped (null means omitted).
    struct Fields {
        let path: String
        let members: [String: JSONValue]

        /// Path of a member: `name` at the root, `parent.name` below it.
        func path(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

        subscript(name: String) -> JSONValue? { members[name] }
    }

    mutating func fail(_ path: String, _ message: String) {
        errors.append(Diagnostic(.error, path.isEmpty ? file : "\(file)\(separator)\(path)", message))
    }

    /// Checks `value` is an object and every member name is in `allowed`.
    mutating func object(_ value: JSONValue, at path: String, allowed: [String]) -> Fields? {
        guard case .object(let members) = value else {
            fail(path, "expected an object, got \(value.kind.withArticle)")
            return nil
        }
        var dict: [String: JSONValue] = [:]
        for m in members {
            let memberPath = path.isEmpty ? m.name : "\(path).\(m.name)"
            if !allowed.contains(m.name) {
                fail(memberPath, "unknown field; allowed: \(allowed.joined(separator: ", "))")
            } else if m.value != .null {
                dict[m.name] = m.value
            }
        }
        return Fields(path: path, members: dict)
    }

    /// The member `name`, reporting it as missing when absent (or null).
    mutating func required(_ fields: Fields, _ name: String) -> JSONValue? {
        guard let v = fields[name] else {
            fail(fields.path(name), "missing required field")
            return nil
        }
        return v
    }

    mutating func string(_ value: JSONValue, at path: String) -> String? {
        guard case .string(let s) = value else {
            fail(path, "expected a string, got \(value.kind.withArticle)")
            return nil
        }
        return s
    }

    /// A string that must not be empty.
    mutating func nonEmptyString(_ value: JSONValue, at path: String) -> String? {
        guard let s = string(value, at: path) else { return nil }
        if s.isEmpty { fail(path, "must not be empty"); return nil }
        return s
    }

    mutating func bool(_ value: JSONValue, at path: String) -> Bool? {
        guard case .bool(let b) = value else {
            fail(path, "expected a boolean, got \(value.kind.withArticle)")
            return nil
        }
        return b
    }

    /// An integer literal (no fraction or exponent) within `range`.
    mutating func integer(_ value: JSONValue, at path: String, in range: ClosedRange<Int64>) -> Int64? {
        guard case .number(let n) = value else {
            fail(path, "expected an integer, got \(value.kind.withArticle)")
            return nil
        }
        if let message = integerProblem(n, range) { fail(path, message); return nil }
        return n.int64
    }

    mutating func array(_ value: JSONValue, at path: String) -> [JSONValue]? {
        guard case .array(let items) = value else {
            fail(path, "expected an array, got \(value.kind.withArticle)")
            return nil
        }
        return items
    }

    /// A string parsed by `parse`; failures say `invalid <what> "<text>"; expected <format>`.
    mutating func parsed<T>(_ value: JSONValue, at path: String, _ what: String, expected format: String,
                            _ parse: (String) -> T?) -> T? {
        guard let s = string(value, at: path) else { return nil }
        guard let v = parse(s) else {
            fail(path, "invalid \(what) \(quoted(s)); expected \(format)")
            return nil
        }
        return v
    }

    /// Each element of an array parsed by `element`; nil when the array or any element is bad.
    mutating func list<T>(_ value: JSONValue, at path: String,
                          _ element: (inout TreeDecoder, JSONValue, String) -> T?) -> [T]? {
        guard let items = array(value, at: path) else { return nil }
        var out: [T] = []
        var ok = true
        for (i, item) in items.enumerated() {
            if let v = element(&self, item, "\(path)[\(i)]") { out.append(v) } else { ok = false }
        }
        return ok ? out : nil
    }
}

/// Why `n` is not an acceptable integer in `range`, or nil when it is.
func integerProblem(_ n: JSONNumber, _ range: ClosedRange<Int64>) -> String? {
    guard n.isInteger else { return "expected an integer, got \(n.text)" }
    guard let v = n.int64, range.contains(v) else {
        if range.upperBound == .max { return "must be at least \(range.lowerBound), got \(n.text)" }
        return "must be between \(range.lowerBound) and \(range.upperBound), got \(n.text)"
    }
    return nil
}

/// `s` as a JSON string literal, for quoting user input in messages.
func quoted(_ s: String) -> String {
    var out = ""
    JSONWriter.appendQuoted(s, to: &out)
    return out
}
