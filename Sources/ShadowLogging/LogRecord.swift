import Logging
import ShadowCore
import ShadowSystem

/// One log line before formatting.
struct LogRecord {
    var timestamp: String
    var level: Logger.Level
    var process: String
    var message: String
    var metadata: [(String, String)]

    func render(_ format: LogOutput.Format) -> String {
        switch format {
        case .text:
            var line = "\(timestamp) \(LogRecord.levelName(level).uppercased()) \(process): \(message)"
            for (k, v) in metadata { line += " \(k)=\(v)" }
            return line + "\n"
        case .json:
            var w = JSONWriter()
            w.beginObject()
            w.field("timestamp", timestamp)
            w.field("level", LogRecord.levelName(level).uppercased())
            w.field("process", process)
            w.field("message", message)
            for (k, v) in metadata { w.field(k, v) }
            w.endObject()
            return w.text + "\n"
        }
    }

    static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warn"
        case .error: "error"
        case .critical: "critical"
        }
    }

    /// Now as RFC 3339 UTC with milliseconds.
    static func now() -> String {
        let (seconds, nanoseconds) = Clocks.unixTime()
        let t = UTCDateTime(unixSeconds: seconds)
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return "\(pad(t.year, 4))-\(pad(t.month, 2))-\(pad(t.day, 2))T"
            + "\(pad(t.hour, 2)):\(pad(t.minute, 2)):\(pad(t.second, 2)).\(pad(nanoseconds / 1_000_000, 3))Z"
    }
}
