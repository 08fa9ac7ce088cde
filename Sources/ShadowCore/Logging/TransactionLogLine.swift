/// A log line a DHCP engine hands to its caller for one transaction (docs/dhcpv4.md), with
/// structured fields. `DHCPv4LogLine` and `DHCPv6LogLine` are this type: the engines only build
/// lines, the worker writes them.
public struct TransactionLogLine: Sendable, Hashable {
    /// Ordered by severity: `debug < info < warn < error`.
    public enum Level: String, Sendable, Hashable, Comparable {
        case debug, info, warn, error

        private var severity: Int {
            switch self {
            case .debug: 0
            case .info: 1
            case .warn: 2
            case .error: 3
            }
        }

        public static func < (a: Level, b: Level) -> Bool { a.severity < b.severity }
    }

    public struct Field: Sendable, Hashable {
        public var key: String
        public var value: String
    }

    public var level: Level
    public var message: String
    public var fields: [Field]

    /// A field whose value is nil is left out.
    public init(_ level: Level, _ message: String, _ fields: [(String, String?)]) {
        self.level = level
        self.message = message
        self.fields = fields.compactMap { key, value in value.map { Field(key: key, value: $0) } }
    }
}
