import Logging
import Synchronization

/// A log handler that keeps every message, for checking what the components log.
struct LogCapture: LogHandler {
    final class Store: Sendable {
        let messages = Mutex<[(Logger.Level, String)]>([])
        let metadata = Mutex<[Logger.Metadata]>([])
        var all: [(Logger.Level, String)] { messages.withLock { $0 } }
        /// The metadata of every message, in order.
        var allMetadata: [Logger.Metadata] { metadata.withLock { $0 } }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        store.messages.withLock { $0.append((event.level, event.message.description)) }
        store.metadata.withLock { $0.append(self.metadata.merging(event.metadata ?? [:]) { $1 }) }
    }

    /// A logger writing into a new store.
    static func logger() -> (Logger, Store) {
        let store = Store()
        return (Logger(label: "capture") { _ in LogCapture(store: store) }, store)
    }
}
