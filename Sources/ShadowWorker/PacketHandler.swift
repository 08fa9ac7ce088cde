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

extension PacketHandler {
    /// Answers one datagram of a batch, as the worker loop does between recvmmsg(2) and
    /// sendmmsg(2) (and `bench-worker` over datagrams in memory): a truncated datagram or one from
    /// an unknown address family is dropped and counted; otherwise the reply is encoded straight
    /// into the sender's next slot (as many slots as the receiver has, so there is always one): no
    /// copy per reply.
    @inline(__always)
    func answer(_ d: ReceivedDatagram, snapshot: ReservationSnapshot, bindings: BindingTable,
                sender: DatagramSender, sink: inout WorkerSink) {
        guard !d.isTruncated, let source = d.source else {
            sink.count(d.isTruncated ? "drop.Truncated" : "drop.UnknownSource")
            return
        }
        let queued = sender.enqueue { slot in
            handle(d.payload, from: source, snapshot: snapshot, bindings: bindings, reply: slot, sink: &sink)
                .map { ($0.length, $0.destination, $0.destination == source ? d.scopeID : 0) }
        }
        if !queued { sink.count("drop.SendFailed") }
    }
}

/// What the handlers produce besides replies. One lives as long as the worker's configuration;
/// the per-batch parts are emptied (keeping their storage) after each batch, so the packet path
/// allocates nothing for them.
struct WorkerSink {
    let logger: Logger
    let eventsEnabled: Bool
    /// Newline-terminated event JSON lines of the current batch.
    var events: [UInt8] = []
    /// Bindings learned from ACKs in the current batch (v4 only).
    var learned: [BindingLearned] = []
    /// Cumulative counters since the worker started.
    var counters: [String: UInt64] = [:]

    init(logger: Logger, eventsEnabled: Bool) {
        self.logger = logger
        self.eventsEnabled = eventsEnabled
        if eventsEnabled { events.reserveCapacity(IPCLimits.maximumMessageSize) }
    }

    /// Adds to a counter. Pass a stored string (e.g. from a precomputed table), not an
    /// interpolation, to keep the packet path free of allocations.
    mutating func count(_ name: String, by n: UInt64 = 1) { counters[name, default: 0] &+= n }

    /// Appends one event line rendered by `render` with the current time, if events are on.
    mutating func event(_ render: (Int64) -> String) {
        guard eventsEnabled else { return }
        events.append(contentsOf: render(Int64(Clocks.unixMilliseconds())).utf8)
        events.append(0x0A)
    }

    /// Whether a line at `level` would be written (compute log lines only then: they allocate).
    func logs(_ level: Logger.Level) -> Bool { logger.logLevel <= level }

    func log(_ level: Logger.Level, _ message: String, _ fields: [(String, String)]) {
        guard logs(level) else { return }
        var metadata = Logger.Metadata()
        for (k, v) in fields { metadata[k] = .string(v) }
        logger.log(level: level, "\(message)", metadata: metadata)
    }

    mutating func endBatch() {
        events.removeAll(keepingCapacity: true)
        learned.removeAll(keepingCapacity: true)
    }
}

/// Counter names built once: `prefix` + each case's name.
struct CounterNames<Key: Hashable & Sendable>: Sendable {
    private let names: [Key: String]
    let fallback: String

    init<C: Collection>(_ prefix: String, _ cases: C, name: (Key) -> String) where C.Element == Key {
        names = Dictionary(uniqueKeysWithValues: cases.map { ($0, prefix + name($0)) })
        fallback = prefix + "Unknown"
    }

    subscript(_ key: Key?) -> String { key.flatMap { names[$0] } ?? fallback }
}
