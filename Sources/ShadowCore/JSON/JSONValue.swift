/// A parsed JSON document as a tree, for small documents (configuration files, management
/// requests). Object members keep their order; duplicate names are rejected when parsing.
public indirect enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([Member])

    /// One `"name": value` pair.
    public struct Member: Hashable, Sendable {
        public var name: String
        public var value: JSONValue
        public init(name: String, value: JSONValue) {
            self.name = name
            self.value = value
        }
    }

    /// Parses exactly one JSON value (surrounding white space allowed, nothing else).
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        try JSONReader.withReader(bytes) { (reader: inout JSONReader) throws(JSONSyntaxError) -> JSONValue in
            let value = try parse(&reader)
            try reader.finish()
            return value
        }
    }

    /// Parses the value at the reader's position, leaving the reader after it.
    public static func parse(_ reader: inout JSONReader) throws(JSONSyntaxError) -> JSONValue {
        try parse(&reader, depth: 0)
    }

    private static func parse(_ reader: inout JSONReader, depth: Int) throws(JSONSyntaxError) -> JSONValue {
        switch try reader.nextKind() {
        case .null: try reader.readNull(); return .null
        case .bool: return .bool(try reader.readBool())
        case .number: return .number(try reader.readNumber())
        case .string: return .string(try reader.readString())
        case .array:
            guard depth < JSONReader.maximumDepth else { throw reader.error("nesting too deep") }
            try reader.beginArray()
            var items: [JSONValue] = []
            while try reader.nextElement() { items.append(try parse(&reader, depth: depth + 1)) }
            return .array(items)
        case .object:
            guard depth < JSONReader.maximumDepth else { throw reader.error("nesting too deep") }
            try reader.beginObject()
            var members: [Member] = []
            var names = Set<String>()
            while true {
                guard let name = try reader.nextKey() else { break }
                guard names.insert(name).inserted else {
                    throw reader.error("duplicate field \"\(name)\"", at: reader.keyOffset)
                }
                members.append(Member(name: name, value: try parse(&reader, depth: depth + 1)))
            }
            return .object(members)
        }
    }

    /// The kind of this value, for "expected …, got …" messages.
    public var kind: JSONKind {
        switch self {
        case .null: .null
        case .bool: .bool
        case .number: .number
        case .string: .string
        case .array: .array
        case .object: .object
        }
    }

    /// The value of the first member called `name` (objects only).
    public subscript(name: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.name == name }?.value
    }
}
