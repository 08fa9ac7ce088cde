import IPC
import Logging
import ShadowCore
import ShadowSystem
import ShadowWorker
import SystemPackage

/// A worker's packet path without sockets, sandbox or master (the callgrind harness of
/// docs/performance.md): the handler, sink and sender a worker has, fed with datagrams from memory.
/// It lives here, not in ShadowWorker, which makes public only its handlers, their sink and the
/// handlers' batch step (`answer(batch:…)`, `answer(received:from:…)`: compiled in ShadowWorker,
/// so the per-datagram path is inlined there exactly as in the worker's own loop).
///
/// ``serve(_:snapshot:bindings:)`` runs one batch the way the worker loop's `serveBatch` does
/// between recvmmsg(2) and sendmmsg(2), through the same `PacketHandler.answer(batch:…)`. Then,
/// instead of sendmmsg, the queued replies are dropped; the batch's learned bindings go into
/// `bindings` and the sink is emptied, as the loop's report does (without the IPC message).
final class PacketPathBench {
    private enum Handler {
        case v4(V4PacketHandler)
        case v6(V6PacketHandler)
    }

    private let handler: Handler
    private let shares: WorkerShares
    private var sink: WorkerSink
    /// The last-served times the sink records into, one per reservation, as in a worker.
    private let lastServed: LastServedTable
    private let sender = DatagramSender(capacity: 64, slotSize: 4096)
    private lazy var receiver = DatagramReceiver(capacity: 64, slotSize: 65535)

    /// Batches hold at most this many datagrams (the worker's receiver and sender capacity).
    var batchCapacity: Int { sender.capacity }

    /// A path as a worker of `kind` has it once configured with `config` and `ids` (and, with HA,
    /// sent `shares`) and a snapshot of `reservations`; log lines go to swift-log's default handler
    /// at the configuration's level.
    init(kind: WorkerKind, config: ServerConfig, ids: ServerIdentifiers, reservations: Int,
         shares: WorkerShares = .standalone) {
        self.shares = shares
        var logger = Logger(label: "bench-worker")
        logger.logLevel = config.logging.level.swiftLogLevel
        let events = config.events.isEnabled
        switch kind {
        case .v4:
            handler = .v4(V4PacketHandler(config: config, ids: ids))
            sink = WorkerSink(for: V4PacketHandler.self, logger: logger, eventsEnabled: events)
        case .v6:
            handler = .v6(V6PacketHandler(config: config, ids: ids))
            sink = WorkerSink(for: V6PacketHandler.self, logger: logger, eventsEnabled: events)
        case .ops:
            preconditionFailure("the operations process has no packet path")
        }
        lastServed = LastServedTable(count: reservations)
        sink.lastServed = lastServed.times
        sink.servedAt = UInt32(truncatingIfNeeded: Clocks.unixMilliseconds() / 1000)
        // Storm control as the configuration has it (bench-worker's: on, 10/s per client); the
        // clock moves only by ``advanceClock(milliseconds:)``, between batches.
        sink.rateLimiter = RateLimiter(config.rateLimits, reservations: reservations)
        sink.nowMilliseconds = UInt32(truncatingIfNeeded: Clocks.monotonicMilliseconds())
    }

    /// Answers one batch (at most ``batchCapacity`` datagrams) and returns how many replies were
    /// queued. Never inlined: bench/callgrind.sh switches collection on and off at `serve`.
    @inline(never)
    func serve(_ batch: UnsafeBufferPointer<ReceivedDatagram>, snapshot: ReservationSnapshot,
               bindings: inout BindingTable) -> Int {
        precondition(batch.count <= sender.capacity, "a batch larger than the worker's")
        switch handler {
        case .v4(let h): h.answer(batch: batch, snapshot: snapshot, bindings: bindings, shares: shares,
                                 sender: sender, sink: &sink)
        case .v6(let h): h.answer(batch: batch, snapshot: snapshot, bindings: bindings, shares: shares,
                                 sender: sender, sink: &sink)
        }
        return finish(&bindings)
    }

    /// Receives what is queued on `socket` with the worker's `DatagramReceiver` (one recvmmsg(2),
    /// non-blocking, as `serveBatch`) and answers it like ``serve(_:snapshot:bindings:)``. Returns
    /// the datagrams received and the replies queued. Never inlined (see above).
    @inline(never)
    func serve(receivingFrom socket: FileDescriptor, snapshot: ReservationSnapshot,
               bindings: inout BindingTable) throws(Errno) -> (received: Int, replies: Int) {
        let receiver = self.receiver
        let n = try receiver.receive(from: socket, wait: .nonBlocking)
        switch handler {
        case .v4(let h): h.answer(received: n, from: receiver, snapshot: snapshot, bindings: bindings, shares: shares,
                                 sender: sender, sink: &sink)
        case .v6(let h): h.answer(received: n, from: receiver, snapshot: snapshot, bindings: bindings, shares: shares,
                                 sender: sender, sink: &sink)
        }
        return (n, finish(&bindings))
    }

    /// After a batch: drops the queued replies (instead of sendmmsg), learns the batch's bindings
    /// and empties the sink, as the worker's report does. (Not called `serve`: bench/callgrind.sh
    /// switches collection on and off at `serve`.)
    @inline(__always)
    private func finish(_ bindings: inout BindingTable) -> Int {
        let queued = sender.pendingCount
        sender.discardPending()
        for b in sink.learned {
            bindings.learn(mac: b.mac, option82: b.option82, now: Clocks.unixMilliseconds() / 1000)
        }
        sink.endBatch()
        return queued
    }

    /// Moves the storm-control clock on, as the worker loop does between batches (not inside
    /// ``serve(_:snapshot:bindings:)``, so callgrind does not count it).
    func advanceClock(milliseconds: UInt32) { sink.nowMilliseconds &+= milliseconds }

    /// The counters as the worker would report them (sorted by name).
    var counters: [(name: String, value: UInt64)] { sink.counters.reported.map { ($0.name, $0.value) } }
}
