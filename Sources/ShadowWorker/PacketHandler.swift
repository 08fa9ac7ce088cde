import DHCPv4
import IPC
import Logging
import ShadowCore
import ShadowSystem

/// One protocol's engine as the worker loop drives it (public, with the sink, for
/// `bench-worker`'s `PacketPathBench`).
public protocol PacketHandler {
    init(config: ServerConfig, ids: ServerIdentifiers)

    /// Every counter the handler counts, the ``CommonCounter``s first: the slots of the sink's
    /// ``WorkerCounters``.
    static var counterNames: [String] { get }

    /// Handles one datagram from `source`; writes any reply into `reply` and returns its length and
    /// destination. `shares` says which clients to answer (``WorkerShares/standalone`` without HA).
    /// Side effects (counters, log lines, events, learned bindings) go to `sink`.
    func handle(_ datagram: UnsafeRawBufferPointer, from source: SocketAddress,
                snapshot: ReservationSnapshot, bindings: BindingTable, shares: WorkerShares,
                reply: UnsafeMutableRawBufferPointer, sink: inout WorkerSink) -> (length: Int, destination: SocketAddress)?

    /// Bulk leasequery (docs/leasequery.md): one whole query message received over TCP from
    /// `peer` → the stream of its replies; nil closes the connection (a message the protocol
    /// cannot decode at all). Called on the loop thread between batches, with the state a
    /// datagram would see. The default answers nothing (nil).
    func bulkAnswer(_ query: UnsafeRawBufferPointer, from peer: SocketAddress, snapshot: ReservationSnapshot,
                    bindings: BindingTable, sink: inout WorkerSink) -> (any BulkReplyStream)?
}

extension PacketHandler {
    public func bulkAnswer(_ query: UnsafeRawBufferPointer, from peer: SocketAddress, snapshot: ReservationSnapshot,
                           bindings: BindingTable, sink: inout WorkerSink) -> (any BulkReplyStream)? { nil }
}

extension PacketHandler {
    /// Answers the `count` datagrams of a batch, as the worker loop does between recvmmsg(2) and
    /// sendmmsg(2) (and `bench-worker` over datagrams in memory). The caller passes its sink once
    /// for the whole batch, so the packets pay no exclusivity check on it.
    @inlinable @inline(__always)
    public func answer(batch count: Int, _ datagram: (Int) -> ReceivedDatagram, snapshot: ReservationSnapshot,
                bindings: BindingTable, shares: WorkerShares, sender: DatagramSender, sink: inout WorkerSink) {
        sink.count(.received, by: UInt64(count))
        for i in 0..<count {
            answer(datagram(i), snapshot: snapshot, bindings: bindings, shares: shares, sender: sender, sink: &sink)
        }
    }

    /// Answers one datagram: a truncated datagram or one from an unknown address family is dropped
    /// and counted; otherwise the reply is encoded straight into the sender's next slot (as many
    /// slots as the receiver has, so there is always one): no copy per reply. No closure captures
    /// the sink, so it is reached without an exclusivity check.
    @inlinable @inline(__always)
    public func answer(_ d: ReceivedDatagram, snapshot: ReservationSnapshot, bindings: BindingTable,
                shares: WorkerShares, sender: DatagramSender, sink: inout WorkerSink) {
        guard !d.isTruncated, let source = d.source else {
            sink.count(d.isTruncated ? .dropTruncated : .dropUnknownSource)
            return
        }
        guard let slot = sender.nextSlot else {
            sink.count(.dropSendFailed)
            return
        }
        if let reply = handle(d.payload, from: source, snapshot: snapshot, bindings: bindings, shares: shares,
                              reply: slot, sink: &sink) {
            sender.commit(length: reply.length, to: reply.destination,
                          scopeID: reply.destination == source ? d.scopeID : 0)
        }
    }
}

/// What the handlers produce besides replies. One lives as long as the worker's configuration;
/// the per-batch parts are emptied (keeping their storage) after each batch, so the packet path
/// allocates nothing for them.
public struct WorkerSink {
    let logger: Logger
    /// `logger.logLevel` when the sink was made (the worker sets it only when it is configured, and
    /// makes a new sink then): asking the logger costs an existential call and an exclusivity check
    /// per packet.
    let logLevel: Logger.Level
    let eventsEnabled: Bool
    /// Newline-terminated event JSON lines of the current batch.
    var events: [UInt8] = []
    /// Bindings learned in the current batch (v4 only): from ACKs, and with HA from clients
    /// silenced for a peer's share or another server's identifier.
    public var learned: [BindingLearned] = []
    /// Cumulative counters since the worker was configured.
    public var counters: WorkerCounters
    /// The current snapshot's last-served times (the loop's ``LastServedTable``, which outlives
    /// every batch that writes here); empty until there is a snapshot.
    public var lastServed = UnsafeMutableBufferPointer<UInt32>(start: nil, count: 0)
    /// Unix seconds written by ``served(_:)``: the loop sets it at every look at the channel (at
    /// least every 5 ms under traffic, and on waking up), so a time is at most 55 ms old and no
    /// packet reads the clock for it.
    public var servedAt: UInt32 = 0
    /// The current snapshot's leasequery index (the loop sets it with the snapshot), nil without
    /// `leasequery`.
    public var leasequeryIndex: LeasequeryIndex?
    /// The v6 worker's leasequery state while `leasequery` is enabled (docs/leasequery.md); nil
    /// otherwise, and always in the v4 worker.
    public var leasequeryV6: V6LeasequeryState?
    /// With bulk leasequery (v4): the relay identifier of each reservation's last ACK.
    public var relayIDs: RelayIDTable?
    /// Storm control (`rate_limits`); nil when both limits are off. Owns the tables that
    /// ``rateBuckets`` (what the packet path reads, without reference counting) points into.
    public var rateLimiter: RateLimiter? {
        didSet { rateBuckets = rateLimiter?.buckets ?? .off }
    }
    /// ``rateLimiter``'s tables, ``RateBuckets/off`` when both limits are off.
    private(set) var rateBuckets = RateBuckets.off
    /// The loop's coarse monotonic clock in milliseconds (wrapping), for ``rateLimiter``: set
    /// after every batch and on waking up, so no packet reads the clock for it.
    public var nowMilliseconds: UInt32 = 0

    /// A sink for `Handler`'s counters.
    public init<Handler: PacketHandler>(for _: Handler.Type, logger: Logger, eventsEnabled: Bool) {
        self.logger = logger
        logLevel = logger.logLevel
        self.eventsEnabled = eventsEnabled
        counters = WorkerCounters(names: Handler.counterNames)
        if eventsEnabled { events.reserveCapacity(IPCLimits.maximumMessageSize) }
    }

    /// Adds to the counter in `slot` (from the handler's ``CounterSlots``).
    mutating func count(_ slot: Int, by n: UInt64 = 1) { counters.add(slot, by: n) }

    @usableFromInline
    mutating func count(_ counter: CommonCounter, by n: UInt64 = 1) { counters.add(counter, by: n) }

    /// Counts a bulk leasequery connection's acceptance or end.
    mutating func count(_ event: BulkConnectionEvent) { counters.add(CounterTable.slot(event)) }

    /// Storm control for a request the engine answered: whether `verdict` lets the reply go;
    /// a refused one is counted by the bucket that refused it.
    @inline(__always)
    mutating func admits(_ verdict: RateVerdict) -> Bool {
        switch verdict {
        case .admitted: return true
        case .client: count(.dropRateLimitedClient)
        case .relay: count(.dropRateLimitedRelay)
        }
        return false
    }

    /// Records that the reply being sent serves reservation `index` (a DHCPv4 ACK, a DHCPv6 Reply
    /// with the reservation's leases): one store, no allocation.
    @inline(__always)
    mutating func served(_ index: Int) {
        if index < lastServed.count { lastServed.baseAddress.unsafelyUnwrapped[index] = servedAt }
    }

    /// What leasequery answers from, once the snapshot's index is there.
    func leasequeryState(_ snapshot: ReservationSnapshot, _ bindings: BindingTable) -> LeasequeryState? {
        leasequeryIndex.map {
            LeasequeryState(snapshot: snapshot, index: $0, lastServed: UnsafeBufferPointer(lastServed), bindings: bindings,
                            relayIDReservations: relayIDs.map { table in { table.reservations(relayID: $0) } })
        }
    }

    /// Appends one event line rendered by `render` with the current time, if events are on.
    mutating func event(_ render: (Int64) -> String) {
        guard eventsEnabled else { return }
        events.append(contentsOf: render(Int64(Clocks.unixMilliseconds())).utf8)
        events.append(0x0A)
    }

    /// Whether a line at `level` would be written (compute log lines only then: they allocate).
    func logs(_ level: Logger.Level) -> Bool { logLevel <= level }

    func log(_ level: Logger.Level, _ message: String, _ fields: [(String, String)]) {
        guard logs(level) else { return }
        var metadata = Logger.Metadata()
        for (k, v) in fields { metadata[k] = .string(v) }
        logger.log(level: level, "\(message)", metadata: metadata)
    }

    public mutating func endBatch() {
        if !events.isEmpty { events.removeAll(keepingCapacity: true) }
        if !learned.isEmpty { learned.removeAll(keepingCapacity: true) }
    }
}

extension TransactionLogLine.Level {
    /// The swift-log level an engine's log line is written at.
    var logger: Logger.Level {
        switch self {
        case .debug: .debug
        case .info: .info
        case .warn: .warning
        case .error: .error
        }
    }
}

extension WorkerSink {
    /// Writes an engine's log lines for one transaction, each at its level.
    func log(_ lines: [TransactionLogLine]) {
        for line in lines {
            log(line.level.logger, line.message, line.fields.map { ($0.key, $0.value) })
        }
    }
}
