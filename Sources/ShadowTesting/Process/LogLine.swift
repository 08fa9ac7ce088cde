import ShadowCore

/// One line of the server's standard output: a JSON object with `timestamp`, `level`, `process`
/// (`master`, `v4`, `v6`), `message` and the record's metadata, every value a string.
public struct LogLine: Sendable, CustomStringConvertible {
    public var level: String
    public var process: String
    public var message: String
    public var fields: [String: String]
    /// The line as written.
    public var text: String

    /// Parses a JSON log line; nil for anything else (a panic message, a partial line).
    public init?(_ text: String) {
        guard let value = try? JSONValue.parse(Array(text.utf8)), case .object(let members) = value else { return nil }
        var fields: [String: String] = [:]
        for m in members {
            switch m.value {
            case .string(let s): fields[m.name] = s
            case .number(let n): fields[m.name] = n.text
            case .bool(let b): fields[m.name] = String(b)
            default: break
            }
        }
        guard let level = fields["level"], let process = fields["process"], let message = fields["message"] else {
            return nil
        }
        self.level = level
        self.process = process
        self.message = message
        self.fields = fields
        self.text = text
    }

    public subscript(_ key: String) -> String? { fields[key] }

    /// `worker.generation` as a number.
    public var workerGeneration: UInt64? { fields["worker.generation"].flatMap { UInt64($0) } }
    /// `pid` as a number.
    public var pid: Int32? { fields["pid"].flatMap { Int32($0) } }

    public var description: String { text }
}
