/// One problem found while loading a file: where (file and JSON path) and what.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        /// The file is refused.
        case error
        /// The file loads; the operator should look at this.
        case warning
    }

    public var severity: Severity
    /// The file and JSON path, e.g. `config.json: subnets_v4[1].reply_prefix_len` or
    /// `reservations.json[7].mac`.
    public var location: String
    public var message: String

    public init(_ severity: Severity, _ location: String, _ message: String) {
        self.severity = severity
        self.location = location
        self.message = message
    }

    /// `location: message`.
    public var description: String { "\(location): \(message)" }
}

/// Diagnostics of one severity, every one counted but only the first ``limit`` kept.
public struct DiagnosticList: Hashable, Sendable {
    /// How many are kept by default; the rest are only counted.
    public static let defaultLimit = 1000

    public let limit: Int
    /// The first ``limit`` diagnostics, in the order found.
    public private(set) var items: [Diagnostic] = []
    /// How many were found in all.
    public private(set) var count = 0

    public init(limit: Int = DiagnosticList.defaultLimit) { self.limit = limit }

    public var isEmpty: Bool { count == 0 }

    public mutating func append(_ d: Diagnostic) {
        count += 1
        if items.count < limit { items.append(d) }
    }

    /// Appends `other`'s diagnostics after these: its kept ones while room is left, and its count.
    public mutating func append(contentsOf other: DiagnosticList) {
        for d in other.items where items.count < limit { items.append(d) }
        count += other.count
    }

    /// The kept diagnostics as lines, then `… and N more errors` when some were dropped.
    public var lines: [String] {
        var out = items.map(\.description)
        let dropped = count - items.count
        if dropped > 0, let first = items.first {
            let noun = first.severity == .error ? "error" : "warning"
            out.append("... and \(dropped) more \(noun)\(dropped == 1 ? "" : "s")")
        }
        return out
    }
}

/// A file that could not be loaded: every error found (and the warnings found on the way).
public struct LoadError: Error, Hashable, Sendable, CustomStringConvertible {
    public var errors: DiagnosticList
    public var warnings: DiagnosticList

    public init(errors: DiagnosticList, warnings: DiagnosticList = DiagnosticList()) {
        self.errors = errors
        self.warnings = warnings
    }

    /// The error lines, one per line (capped, with a count of the rest).
    public var description: String { errors.lines.joined(separator: "\n") }
}

/// A successfully loaded value and the warnings found while loading it.
public struct Loaded<Value: Sendable>: Sendable {
    public var value: Value
    public var warnings: DiagnosticList

    public init(value: Value, warnings: DiagnosticList = DiagnosticList()) {
        self.value = value
        self.warnings = warnings
    }
}

extension Loaded: Equatable where Value: Equatable {}
