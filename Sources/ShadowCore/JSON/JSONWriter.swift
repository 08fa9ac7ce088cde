/// Builds compact JSON text (no spaces) with keys in the order they are written.
///
/// Used for event records, management responses and persisted files, whose key order is part
/// of the format.
public struct JSONWriter: Sendable {
    public private(set) var text: String = ""
    private var needsComma: [Bool] = [false]

    public init() {}

    public mutating func beginObject() { value(); text.append("{"); needsComma.append(false) }
    public mutating func endObject() { needsComma.removeLast(); text.append("}") }
    public mutating func beginArray() { value(); text.append("["); needsComma.append(false) }
    public mutating func endArray() { needsComma.removeLast(); text.append("]") }

    /// Writes `"name":`; the next value belongs to it.
    public mutating func key(_ name: String) {
        value()
        JSONWriter.appendQuoted(name, to: &text)
        text.append(":")
        needsComma[needsComma.count - 1] = false
    }

    public mutating func string(_ s: String?) {
        value()
        if let s { JSONWriter.appendQuoted(s, to: &text) } else { text.append("null") }
    }

    public mutating func bool(_ b: Bool) { value(); text.append(b ? "true" : "false") }
    public mutating func null() { value(); text.append("null") }
    public mutating func int<I: BinaryInteger>(_ n: I?) {
        value()
        if let n { text.append(String(n)) } else { text.append("null") }
    }

    /// Key and string value in one call (`null` when nil).
    public mutating func field(_ name: String, _ s: String?) { key(name); string(s) }
    public mutating func field(_ name: String, _ b: Bool) { key(name); bool(b) }
    public mutating func field<I: BinaryInteger>(_ name: String, _ n: I?) { key(name); int(n) }

    /// A raw, already-encoded JSON value.
    public mutating func raw(_ json: String) { value(); text.append(json) }

    private mutating func value() {
        if needsComma[needsComma.count - 1] { text.append(",") }
        needsComma[needsComma.count - 1] = true
    }

    /// Appends `s` as a JSON string literal (RFC 8259 escaping; non-ASCII kept as UTF-8).
    public static func appendQuoted(_ s: String, to out: inout String) {
        out.append("\"")
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out.append("\"")
    }
}
