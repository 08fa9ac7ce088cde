import ShadowCore

/// What the master passes on from a sandboxed child's stdout and stderr (docs/privileges.md,
/// "Output of the sandboxed processes").
///
/// A child must not be able to write a line that reads as the master's, nor drive the master's
/// terminal. A line is passed on unchanged only when it is one complete log line in the master's
/// format whose process label is the child's own (``isOwn(_:process:format:)``); anything else is
/// wrapped as a log line of the child that carries the bytes escaped (``wrapped(_:process:stream:format:)``).
public enum ChildLogLine {
    /// The level names a log line can carry, as rendered.
    static let levels: Set<String> = ["TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "ERROR", "CRITICAL"]

    /// Whether `line` (without its newline) is a complete log line of `process` in `format`:
    ///
    /// - no control character (C0, DEL, C1) and valid UTF-8, so nothing reaches a terminal as a
    ///   command;
    /// - text: `TIMESTAMP LEVEL process: …` with an RFC 3339 UTC timestamp with milliseconds;
    /// - JSON: one object (duplicate names are refused) whose first three members are `timestamp`,
    ///   `level` and `process`, strings, `process` equal to `process`.
    public static func isOwn(_ line: ArraySlice<UInt8>, process: String, format: LogFormat) -> Bool {
        guard !line.isEmpty, let text = String(validating: line, as: UTF8.self) else { return false }
        for scalar in text.unicodeScalars where isControl(scalar) { return false }
        switch format {
        case .text:
            let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, isTimestamp(parts[0]), levels.contains(String(parts[1])) else { return false }
            return parts[2].hasPrefix(process + ": ")
        case .json:
            guard case .object(let members)? = try? JSONValue.parse(Array(line)), members.count >= 3,
                  members[0].name == "timestamp", case .string(let timestamp) = members[0].value,
                  isTimestamp(Substring(timestamp)),
                  members[1].name == "level", case .string(let level) = members[1].value, levels.contains(level),
                  members[2].name == "process", case .string(let label) = members[2].value
            else { return false }
            return label == process
        }
    }

    /// A log line of `process` (newline included) that carries `line` escaped: at level warn
    /// from stderr and info from stdout, with `output=stderr|stdout`.
    public static func wrapped(_ line: ArraySlice<UInt8>, process: String, stream: String, format: LogFormat) -> String {
        LogRecord(timestamp: LogRecord.now(), level: stream == "stderr" ? .warning : .info, process: process,
                  message: escaped(line), metadata: [("output", stream)]).render(format)
    }

    /// `bytes` as printable text: a backslash doubled, every control character as `\u{XX}`, bytes
    /// that are not valid UTF-8 as U+FFFD.
    public static func escaped(_ bytes: ArraySlice<UInt8>) -> String {
        var out = ""
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            if scalar == "\\" {
                out += "\\\\"
            } else if isControl(scalar) {
                out += "\\u{" + hex(scalar.value) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (s.value >= 0x7F && s.value < 0xA0) || s.value == 0x2028 || s.value == 0x2029
    }

    private static func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return s.count % 2 == 1 ? "0" + s : s
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    static func isTimestamp(_ s: Substring) -> Bool {
        let bytes = Array(s.utf8)
        guard bytes.count == 24 else { return false }
        for (i, b) in bytes.enumerated() {
            let expected: UInt8? = switch i {
            case 4, 7: UInt8(ascii: "-")
            case 10: UInt8(ascii: "T")
            case 13, 16: UInt8(ascii: ":")
            case 19: UInt8(ascii: ".")
            case 23: UInt8(ascii: "Z")
            default: nil
            }
            if let expected { if b != expected { return false } } else if !(b >= 0x30 && b <= 0x39) { return false }
        }
        return true
    }
}
