import Logging
import ShadowCore

/// The swift-log handler of every shadowdhcp process: one line per record, tagged with the
/// process name (`master`, `v4`, `v6`), level-gated by `logging.level`.
public struct ShadowLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let process: String
    private let output: LogOutput

    public init(process: String, level: Logger.Level, output: LogOutput) {
        self.process = process
        self.logLevel = level
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let fields = merged.sorted { $0.key < $1.key }.map { ($0.key, $0.value.description) }
        output.write(LogRecord(timestamp: LogRecord.now(), level: event.level, process: process,
                               message: event.message.description, metadata: fields))
    }

    /// Bootstraps swift-log for this process. Call once, before any other thread starts.
    public static func bootstrap(process: String, level: LogLevel, output: LogOutput) {
        LoggingSystem.bootstrap { _ in
            ShadowLogHandler(process: process, level: level.swiftLogLevel, output: output)
        }
    }
}

extension LogLevel {
    /// The swift-log level this configuration level gates at.
    public var swiftLogLevel: Logger.Level {
        switch self {
        case .error: .error
        case .warn: .warning
        case .info: .info
        case .debug: .debug
        case .trace: .trace
        }
    }
}
