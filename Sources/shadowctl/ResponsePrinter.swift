import ShadowCore

/// Prints a management response: the raw line, or readable `key: value` lines.
enum ResponsePrinter {
    /// Prints `response` and returns its `success`. `body`, when given, prints a successful
    /// response's fields after its message (instead of `key: value` lines). Otherwise readable
    /// output leaves out `hidden` fields and prints each string of a `lists` field on a line of its own.
    static func print(_ response: String, raw: Bool, body: ((JSONValue) -> Void)? = nil,
                      hidden: Set<String> = [], lists: Set<String> = []) -> Bool {
        guard let value = try? JSONValue.parse(Array(response.utf8)), case .object(let members) = value else {
            if raw { Swift.print(response) } else { printError("shadowctl: unreadable response: \(response)") }
            return false
        }
        let success = value["success"] == .bool(true)
        if raw {
            Swift.print(response)
            return success
        }
        if !success {
            if case .string(let e)? = value["error"] { printError("error: \(e)") }
            return false
        }
        if case .string(let m)? = value["message"] { Swift.print(m) }
        if let body {
            body(value)
            return true
        }
        for m in members where !["success", "message", "error"].contains(m.name) && !hidden.contains(m.name) {
            if lists.contains(m.name), case .array(let items) = m.value {
                Swift.print("\(m.name):")
                for item in items { Swift.print("  \(scalar(item))") }
            } else {
                printMember(m.name, m.value, indent: 0)
            }
        }
        return true
    }

    static func printMember(_ name: String, _ value: JSONValue, indent: Int) {
        let pad = String(repeating: "  ", count: indent)
        switch value {
        case .object(let members) where !members.isEmpty:
            Swift.print("\(pad)\(name):")
            for m in members { printMember(m.name, m.value, indent: indent + 1) }
        case .array(let items) where items.contains(where: { $0.kind == .object }):
            Swift.print("\(pad)\(name):")
            for (i, item) in items.enumerated() { printMember("[\(i)]", item, indent: indent + 1) }
        default:
            Swift.print("\(pad)\(name): \(scalar(value))")
        }
    }

    private static func scalar(_ v: JSONValue) -> String {
        switch v {
        case .null: "-"
        case .bool(let b): b ? "yes" : "no"
        case .number(let n): n.text
        case .string(let s): s
        case .array(let items): items.map(scalar).joined(separator: ", ")
        case .object: "{}"
        }
    }
}
