import IPC
import Logging
import ShadowCore
import ShadowSystem

/// One protocol's engine as the worker loop drives it.
protocol PacketHandler {
    init(config: ServerConfig, ids: ServerIdentifiers)

    /// Handles one datagram from `source`; writes any reply into `reply` and returns its length and
    /// destination. Side effects (counters, log lines, events, learned bindings) go to `sink`.
    func handle(_ datagram: UnsafeRawBufferPointer, from source: SocketAddress,
                snapshot: ReservationSnapshot, bindings: BindingTable,
                reply: UnsafeMutableRawBufferPointer, sink: inout WorkerSink) -> (length: Int, destination: SocketAddress)?
}

/// What the handlers of one batch produce besides replies.
struct WorkerSink {
    let logger: Logger
    let eventsEnabled: Bool
    /// Newline-terminated event JSON lines not yet sent to the master.
    var events: [UInt8] = []
    /// Bindings learned from ACKs in this batch (v4 only).
    var learned: [BindingLearned] = []
    var counters: [String: UInt64] = [:]

    init(logger: Logger, eventsEnabled: Bool) {
        self.logger = logger
        self.eventsEnabled = eventsEnabled
        events.reserveCapacity(64 * 1024)
    }

    mutating func count(_ name: String, by n: UInt64 = 1) { counters[name, default: 0] &+= n }

    /// Appends one event line rendered by `render` with the current time, if events are on.
    mutating func event(_ render: (Int64) -> String) {
        guard eventsEnabled else { return }
        events.append(contentsOf: render(Int64(Clocks.unixMilliseconds())).utf8)
        events.append(0x0A)
    }

    func log(_ level: Logger.Level, _ message: String, _ fields: [(String, String)]) {
        guard logger.logLevel <= level else { return }
        var metadata = Logger.Metadata()
        for (k, v) in fields { metadata[k] = .string(v) }
        logger.log(level: level, "\(message)", metadata: metadata)
    }
}
