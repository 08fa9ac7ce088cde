/// A JSON number exactly as written (already checked against the RFC 8259 grammar).
///
/// Kept as text so that no precision is lost; callers ask for the type they need.
public struct JSONNumber: Hashable, Sendable, CustomStringConvertible {
    /// The literal, e.g. `-12`, `3.5e2`.
    public let text: String
    /// True when the literal has neither a fraction nor an exponent.
    public let isInteger: Bool

    public init(text: String, isInteger: Bool) {
        self.text = text
        self.isInteger = isInteger
    }

    /// The value as a 64-bit signed integer; nil for fractions, exponents and out-of-range values.
    public var int64: Int64? { isInteger ? Int64(text) : nil }

    /// The value as a double (may round).
    public var double: Double? { Double(text) }

    public var description: String { text }
}
