/// What the next JSON value is, judged from its first byte.
public enum JSONKind: String, Sendable, Hashable {
    case object, array, string, number, bool, null

    /// `an object`, `a string`, ... for messages such as "expected an integer, got a string".
    public var withArticle: String {
        switch self {
        case .object, .array: "an \(rawValue)"
        case .string, .number: "a \(rawValue)"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}

/// A strict, allocation-light pull reader for JSON text (RFC 8259) over a byte buffer.
///
/// The caller walks the document: ``nextKind()`` tells what comes next, then ``beginObject()`` +
/// ``nextKey()``, ``beginArray()`` + ``nextElement()``, ``readString()``, ``readNumber()``,
/// ``readBool()``, ``readNull()`` or ``skipValue()`` consume it. Every grammar violation throws a
/// ``JSONSyntaxError`` with line and column. No comments, no trailing commas, no leading zeros,
/// strings must be valid UTF-8 with complete escapes (surrogates in pairs).
///
/// The reader does not own its bytes: the buffer must stay valid while the reader is used (see
/// ``withReader(_:_:)``). After ``beginObject()`` or ``beginArray()`` the next call must be
/// ``nextKey()`` or ``nextElement()`` respectively.
public struct JSONReader {
    /// The most deeply nested containers ``skipValue()`` and the tree parser accept.
    public static let maximumDepth = 512

    let bytes: UnsafeRawBufferPointer
    /// Offset of the next unread byte.
    public internal(set) var offset: Int
    /// Offset of the opening quote of the name ``nextKey()`` returned last.
    public private(set) var keyOffset = 0
    /// True right after `{` or `[`: the next member or element is the first one.
    private var atContainerStart = false

    /// A reader over `bytes`, which must outlive it.
    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        offset = 0
    }

    /// Runs `body` with a reader over `bytes`.
    public static func withReader<R, E: Error>(_ bytes: [UInt8],
                                               _ body: (inout JSONReader) throws(E) -> R) throws(E) -> R {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(E) -> R in
                var reader = JSONReader(buffer)
                return try body(&reader)
            }
        }
        return try result.get()
    }

    // MARK: Structure

    /// Skips white space and classifies the next value without consuming it.
    public mutating func nextKind() throws(JSONSyntaxError) -> JSONKind {
        skipWhitespace()
        guard offset < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case let b: throw unexpected(b, "expected a value")
        }
    }

    /// Consumes `{`.
    public mutating func beginObject() throws(JSONSyntaxError) {
        try expect(UInt8(ascii: "{"), "expected '{'")
        atContainerStart = true
    }

    /// The next member's name (the reader is then at its value), or nil after consuming `}`.
    public mutating func nextKey() throws(JSONSyntaxError) -> String? {
        guard try nextSeparator() else { return nil }
        keyOffset = offset
        let key = try readString()
        skipWhitespace()
        try expect(UInt8(ascii: ":"), "expected ':' after a field name")
        return key
    }

    /// Consumes `}` (false) or, before a member, the `,` that must precede all but the first
    /// one (true; the reader is then at the name's opening quote).
    private mutating func nextSeparator() throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        guard offset < bytes.count else { throw error("unexpected end of input inside an object") }
        let b = bytes[offset]
        if atContainerStart {
            atContainerStart = false
            if b == UInt8(ascii: "}") { offset += 1; return false }
        } else if b == UInt8(ascii: "}") {
            offset += 1
            return false
        } else if b == UInt8(ascii: ",") {
            offset += 1
            skipWhitespace()
            if offset < bytes.count && bytes[offset] == UInt8(ascii: "}") {
                throw error("trailing comma before '}'")
            }
        } else {
            throw unexpected(b, "expected ',' or '}'")
        }
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
            throw error(offset < bytes.count ? "expected a field name in double quotes"
                                             : "unexpected end of input inside an object")
        }
        return true
    }

    /// Like ``nextKey()``, but an ASCII name without escapes comes back as raw bytes (no copy).
    mutating func nextKeyToken() throws(JSONSyntaxError) -> JSONStringToken? {
        guard try nextSeparator() else { return nil }
        let key = try readStringToken()
        skipWhitespace()
        try expect(UInt8(ascii: ":"), "expected ':' after a field name")
        return key
    }

    /// Consumes `[`.
    public mutating func beginArray() throws(JSONSyntaxError) {
        try expect(UInt8(ascii: "["), "expected '['")
        atContainerStart = true
    }

    /// True when another element follows (the reader is then at it); false after consuming `]`.
    public mutating func nextElement() throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        guard offset < bytes.count else { throw error("unexpected end of input inside an array") }
        let b = bytes[offset]
        if atContainerStart {
            atContainerStart = false
            if b == UInt8(ascii: "]") { offset += 1; return false }
            return true
        }
        if b == UInt8(ascii: "]") { offset += 1; return false }
        guard b == UInt8(ascii: ",") else {
            throw unexpected(b, "expected ',' or ']'")
        }
        offset += 1
        skipWhitespace()
        if offset < bytes.count && bytes[offset] == UInt8(ascii: "]") { throw error("trailing comma before ']'") }
        return true
    }

    /// Checks that nothing but white space is left.
    public mutating func finish() throws(JSONSyntaxError) {
        skipWhitespace()
        if offset < bytes.count { throw error("unexpected data after the JSON value") }
    }

    /// Consumes one complete value of any kind, checking its grammar.
    public mutating func skipValue() throws(JSONSyntaxError) { try skipValue(depth: 0) }

    private mutating func skipValue(depth: Int) throws(JSONSyntaxError) {
        switch try nextKind() {
        case .object:
            guard depth < JSONReader.maximumDepth else { throw error("nesting too deep") }
            try beginObject()
            // Tokens, not Strings: skipping a 150 MB `reservations` array builds no String.
            while try nextKeyToken() != nil { try skipValue(depth: depth + 1) }
        case .array:
            guard depth < JSONReader.maximumDepth else { throw error("nesting too deep") }
            try beginArray()
            while try nextElement() { try skipValue(depth: depth + 1) }
        case .string: _ = try readStringToken()
        case .number: _ = try readNumber()
        case .bool: _ = try readBool()
        case .null: try readNull()
        }
    }

    // MARK: Scalars

    public mutating func readBool() throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        if try literal("true") { return true }
        if try literal("false") { return false }
        throw error("invalid literal, expected true or false")
    }

    public mutating func readNull() throws(JSONSyntaxError) {
        skipWhitespace()
        guard try literal("null") else { throw error("invalid literal, expected null") }
    }

    /// Consumes `null` if that is what comes next.
    public mutating func readNullIfPresent() throws(JSONSyntaxError) -> Bool {
        if try nextKind() == .null { try readNull(); return true }
        return false
    }

    /// Reads `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    public mutating func readNumber() throws(JSONSyntaxError) -> JSONNumber {
        skipWhitespace()
        let start = offset
        var integer = true
        if peekByte == UInt8(ascii: "-") { offset += 1 }
        guard let first = peekByte, JSONReader.isDigit(first) else { throw error("expected a digit") }
        offset += 1
        if first == UInt8(ascii: "0"), let next = peekByte, JSONReader.isDigit(next) {
            throw error("leading zeros are not allowed in numbers")
        }
        skipDigits()
        if peekByte == UInt8(ascii: ".") {
            integer = false
            offset += 1
            guard let d = peekByte, JSONReader.isDigit(d) else { throw error("expected a digit after '.'") }
            skipDigits()
        }
        if peekByte == UInt8(ascii: "e") || peekByte == UInt8(ascii: "E") {
            integer = false
            offset += 1
            if peekByte == UInt8(ascii: "+") || peekByte == UInt8(ascii: "-") { offset += 1 }
            guard let d = peekByte, JSONReader.isDigit(d) else { throw error("expected a digit in the exponent") }
            skipDigits()
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        return JSONNumber(text: text, isInteger: integer)
    }

    // MARK: Errors and positions

    /// A syntax error at `at` (default: the current offset), with line and column filled in.
    @inline(never)
    public func error(_ message: String, at: Int? = nil) -> JSONSyntaxError {
        let target = min(at ?? offset, bytes.count)
        let (line, column) = location(of: target)
        return JSONSyntaxError(message: message, offset: target, line: line, column: column)
    }

    /// "unexpected 'x', `expected`" at the reader's offset; out of line, so the paths that read
    /// well-formed input carry no message building.
    @inline(never)
    func unexpected(_ b: UInt8, _ expected: String) -> JSONSyntaxError {
        error("unexpected \(JSONReader.describe(b)), \(expected)")
    }

    /// 1-based line and column (in Unicode scalars) of a byte offset.
    public func location(of target: Int) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for i in 0..<min(target, bytes.count) {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return (line, column)
    }

    // MARK: Helpers

    var peekByte: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    @inline(__always)
    mutating func skipWhitespace() {
        // Most calls find none: one compare (every whitespace byte is at most 0x20) and no call.
        if offset < bytes.count && bytes[offset] > 0x20 { return }
        skipWhitespaceRun()
    }

    @inline(never)
    private mutating func skipWhitespaceRun() {
        offset = JSONWhitespace.end(in: bytes, from: offset)
    }

    private mutating func skipDigits() {
        while let b = peekByte, JSONReader.isDigit(b) { offset += 1 }
    }

    private mutating func expect(_ byte: UInt8, _ message: String) throws(JSONSyntaxError) {
        skipWhitespace()
        guard offset < bytes.count else { throw error("unexpected end of input, \(message)") }
        guard bytes[offset] == byte else { throw unexpected(bytes[offset], message) }
        offset += 1
    }

    /// Consumes `word` if the input continues with it.
    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) -> Bool {
        let n = word.utf8CodeUnitCount
        guard offset + n <= bytes.count else { return false }
        let w = UnsafeRawBufferPointer(start: word.utf8Start, count: n)
        for i in 0..<n where bytes[offset + i] != w[i] { return false }
        offset += n
        return true
    }

    @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// `'x'` for printable ASCII, `byte 0xNN` otherwise.
    static func describe(_ b: UInt8) -> String {
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        let hex = String(b, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count < 2 ? "0" : "") + hex
    }
}
