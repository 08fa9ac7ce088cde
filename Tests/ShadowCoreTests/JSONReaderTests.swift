import Testing
@testable import ShadowCore

@Suite("JSON reader: accepted documents")
struct JSONReaderAcceptTests {
    @Test("string escapes", arguments: [
        (#""plain""#, "plain"),
        (#""a\"b""#, "a\"b"),
        (#""back\\slash""#, "back\\slash"),
        (#""sl\/ash""#, "sl/ash"),
        (#""\b\f\n\r\t""#, "\u{08}\u{0C}\n\r\t"),
        (#""\u0041\u00e9\u20AC""#, "Aé€"),
        (#""\ud83d\ude00""#, "😀"),
        (#""\uD834\uDD1E clef""#, "𝄞 clef"),
        (#""\u0000""#, "\u{0}"),
        ("\"héllo wörld\"", "héllo wörld"),
        ("\"emoji 😀 raw\"", "emoji 😀 raw"),
        (#""""#, ""),
    ])
    func escapes(_ text: String, _ expected: String) {
        #expect(jsonString(text) == expected)
    }

    @Test("numbers keep their text and integer-ness", arguments: [
        ("0", true), ("-0", true), ("42", true), ("-17", true), ("1.5", false), ("1e3", false),
        ("2E-7", false), ("-0.0e+1", false), ("18446744073709551616", true),
    ])
    func numbers(_ text: String, _ isInteger: Bool) {
        #expect(parseJSON(text) == .success(.number(JSONNumber(text: text, isInteger: isInteger))))
    }

    @Test func integerRanges() {
        #expect(JSONNumber(text: "9223372036854775807", isInteger: true).int64 == Int64.max)
        #expect(JSONNumber(text: "9223372036854775808", isInteger: true).int64 == nil)
        #expect(JSONNumber(text: "1.0", isInteger: false).int64 == nil)
    }

    @Test func nestingAndOrder() throws {
        let v = try parseJSON(#" { "b" : [1, {"c": null}, [], {}], "a": true, "s": "x" } "#).get()
        guard case .object(let members) = v else { Issue.record("not an object"); return }
        #expect(members.map(\.name) == ["b", "a", "s"])
        #expect(v["a"] == .bool(true))
        #expect(v["b"] == .array([.number(JSONNumber(text: "1", isInteger: true)),
                                  .object([JSONValue.Member(name: "c", value: .null)]), .array([]), .object([])]))
    }

    @Test func whitespaceEverywhere() {
        #expect(parseJSON(" \t\r\n[ 1 ,\n2 ] \n") == .success(.array([
            .number(JSONNumber(text: "1", isInteger: true)), .number(JSONNumber(text: "2", isInteger: true)),
        ])))
    }

    @Test func deepButAllowedNesting() {
        let depth = JSONReader.maximumDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(syntaxError(text) == nil)
    }

    @Test func pullReaderWalk() throws {
        let bytes = Array(#"{"n": 5, "list": ["x", false], "skip": {"deep": [1, 2]}}"#.utf8)
        let seen = try JSONReader.withReader(bytes) { (r: inout JSONReader) throws(JSONSyntaxError) -> [String] in
            var out: [String] = []
            try r.beginObject()
            while let key = try r.nextKey() {
                switch key {
                case "n": out.append("n=\(try r.readNumber())")
                case "list":
                    try r.beginArray()
                    while try r.nextElement() {
                        out.append(try r.nextKind() == .string ? try r.readString() : "\(try r.readBool())")
                    }
                default:
                    out.append("skip \(key)")
                    try r.skipValue()
                }
            }
            try r.finish()
            return out
        }
        #expect(seen == ["n=5", "x", "false", "skip skip"])
    }
}

@Suite("JSON reader: rejected documents with line and column")
struct JSONReaderRejectTests {
    @Test("syntax errors", arguments: [
        ("", "line 1, column 1: unexpected end of input, expected a value"),
        ("[1,]", "line 1, column 4: trailing comma before ']'"),
        (#"{"a":1,}"#, "line 1, column 8: trailing comma before '}'"),
        ("[1 2]", "line 1, column 4: unexpected '2', expected ',' or ']'"),
        (#"{"a" 1}"#, "line 1, column 6: unexpected '1', expected ':' after a field name"),
        ("{a:1}", "line 1, column 2: expected a field name in double quotes"),
        ("// c\n[]", "line 1, column 1: unexpected '/', expected a value"),
        ("[1] x", "line 1, column 5: unexpected data after the JSON value"),
        ("[1]\n\n  ]", "line 3, column 3: unexpected data after the JSON value"),
        ("01", "line 1, column 2: leading zeros are not allowed in numbers"),
        ("-", "line 1, column 2: expected a digit"),
        ("1.", "line 1, column 3: expected a digit after '.'"),
        ("1e", "line 1, column 3: expected a digit in the exponent"),
        ("+1", "line 1, column 1: unexpected '+', expected a value"),
        ("tru", "line 1, column 1: invalid literal, expected true or false"),
        ("nul", "line 1, column 1: invalid literal, expected null"),
        (#""abc"#, "line 1, column 1: unterminated string"),
        ("\"a\tb\"", "line 1, column 3: control character byte 0x09 in string; escape it"),
        (#""\x""#, #"line 1, column 2: invalid escape sequence '\x'"#),
        (#""\u12G4""#, #"line 1, column 6: expected 4 hex digits after '\u'"#),
        (#""\ud83d""#, #"line 1, column 2: unpaired high surrogate \uD83D"#),
        (#""\ud83d\u0041""#, #"line 1, column 2: high surrogate \uD83D not followed by a low surrogate"#),
        (#""\ude00""#, #"line 1, column 2: unpaired low surrogate \uDE00"#),
        (#"{"a":1,"a":2}"#, "line 1, column 8: duplicate field \"a\""),
        ("[\n  {\"é\": 1,\n   \"x\" 2}]", "line 3, column 8: unexpected '2', expected ':' after a field name"),
        ("{\"k\": [1, 2}", "line 1, column 12: unexpected '}', expected ',' or ']'"),
        ("[", "line 1, column 2: unexpected end of input inside an array"),
        ("{", "line 1, column 2: unexpected end of input inside an object"),
    ])
    func rejected(_ text: String, _ expected: String) {
        #expect(syntaxError(text) == expected)
    }

    @Test func invalidUTF8() {
        var bytes = Array("[\"ab".utf8)
        bytes += [0xC3, 0x28]
        bytes += Array("\"]".utf8)
        #expect(throws: JSONSyntaxError(message: "invalid UTF-8 in string", offset: 1, line: 1, column: 2)) {
            try JSONValue.parse(bytes)
        }
    }

    @Test func columnsCountCharactersNotBytes() {
        #expect(syntaxError("[\"é😀\", x]") == "line 1, column 8: unexpected 'x', expected a value")
    }

    @Test func tooDeep() {
        let depth = JSONReader.maximumDepth + 1
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(syntaxError(text) == "line 1, column \(depth): nesting too deep")
    }
}

/// The word-at-a-time scans (string tokens, indentation) against the byte-by-byte reading: every
/// position of a quote, an escape, a control byte or non-ASCII text inside and around an 8-byte word.
@Suite("JSON reader: scans eight bytes at a time")
struct JSONReaderWordScanTests {
    enum Outcome: Equatable { case raw(String, Int), decoded(String, Int), failed(String) }

    static func token(_ text: [UInt8]) -> Outcome {
        text.withUnsafeBytes { buffer in
            var r = JSONReader(buffer)
            do {
                switch try r.readStringToken() {
                case .raw(let b): return .raw(String(decoding: b, as: UTF8.self), r.offset)
                case .decoded(let s): return .decoded(s, r.offset)
                }
            } catch { return .failed("\(error)") }
        }
    }

    static func string(_ text: [UInt8]) -> Outcome {
        text.withUnsafeBytes { buffer in
            var r = JSONReader(buffer)
            do { return .decoded(try r.readString(), r.offset) } catch { return .failed("\(error)") }
        }
    }

    @Test func aStringTokenEndsOrFallsBackWhereTheBytesSay() {
        let fillers: [[UInt8]] = [[], Array("é".utf8), Array("\\n".utf8), [0x01], [0x7F], Array("\\\"".utf8)]
        for length in 0..<20 {
            for filler in fillers {
                for tail in 0..<10 {
                    let body = [UInt8](repeating: UInt8(ascii: "a"), count: length) + filler
                        + [UInt8](repeating: UInt8(ascii: "b"), count: tail)
                    let text = Array("  \"".utf8) + body + Array("\", \"x\"".utf8)
                    let plain = filler.isEmpty || filler == [0x7F]
                    let got = Self.token(text)
                    switch Self.string(text) {
                    case .decoded(let s, let end):
                        #expect(got == (plain ? .raw(s, end) : .decoded(s, end)), "\(text)")
                    case let other:
                        #expect(got == other, "\(text)")
                    }
                }
            }
        }
    }

    @Test func aStringTokenAtTheEndOfTheBufferIsReadByteByByte() {
        for length in 0..<20 {
            let text = Array("\"".utf8) + [UInt8](repeating: UInt8(ascii: "z"), count: length) + Array("\"".utf8)
            #expect(Self.token(text) == .raw(String(repeating: "z", count: length), length + 2))
            #expect(Self.token(Array(text.dropLast())) == Self.string(Array(text.dropLast())))
        }
    }

    @Test func indentationOfAnyWidthIsSkipped() throws {
        for width in 0..<40 {
            for separator in ["\n", "\r\n", "\t", " "] {
                let pad = String(repeating: " ", count: width)
                let text = "[" + separator + pad + "1," + separator + pad + "\t" + pad + "2" + separator + pad + "]"
                let values = try JSONReader.withReader(Array(text.utf8)) { (r: inout JSONReader) throws(JSONSyntaxError) -> [String] in
                    try r.beginArray()
                    var out: [String] = []
                    while try r.nextElement() { out.append(try r.readNumber().text) }
                    try r.finish()
                    return out
                }
                #expect(values == ["1", "2"], "\(width) \(separator.debugDescription)")
            }
        }
    }
}
