import ShadowCore
import ShadowSystem
import SystemPackage

/// Drives one protocol's exchanges open-loop at a fixed rate over one UDP socket: begins
/// `rate` exchanges per second whatever the server does, answers each first reply with the second
/// request at once, and counts an exchange as dropped when it is not complete after the timeout.
///
/// One thread, non-blocking socket, sendmmsg/recvmmsg batches; bounded by the duration plus the
/// timeout whatever happens.
public final class LoadRunner<P: ExchangeProtocol> {
    let exchange: P
    let socket: FileDescriptor
    let server: SocketAddress
    let plan: BenchPlan
    let sender: DatagramSender
    let receiver: DatagramReceiver

    /// - Parameters:
    ///   - socket: a bound UDP socket (the relay's port); set non-blocking by ``run(_:)``.
    ///   - server: where requests go (server:67 or [server]:547).
    public init(exchange: P, plan: BenchPlan, socket: FileDescriptor, server: SocketAddress, batch: Int = 64) {
        self.exchange = exchange
        self.plan = plan
        self.socket = socket
        self.server = server
        sender = DatagramSender(capacity: batch, slotSize: 1024)
        receiver = DatagramReceiver(capacity: batch, slotSize: 2048)
    }

    /// Runs one load step and returns what happened.
    public func run(_ settings: LoadSettings) throws(Errno) -> LoadResult {
        try socket.setNonBlocking(true)
        var state = RunState(settings: settings, plan: plan)
        let t0 = Clocks.monotonicNanoseconds()
        let sendEnd = t0 + UInt64(settings.duration * 1e9)
        let hardEnd = sendEnd + UInt64(settings.timeout * 1e9)
        var poll = PollSet([(socket, .readable)])
        while true {
            let now = Clocks.monotonicNanoseconds()
            if now >= hardEnd { break }
            let begun = now < sendEnd ? beginDue(&state, now: now, t0: t0) : 0
            let received = try receiveReplies(&state)
            flush(&state)
            state.expire(now: now)
            if now >= sendEnd && state.inFlight == 0 { break }
            if begun == 0 && received == 0 && !state.isBehind(now: now, t0: t0, sendEnd: sendEnd) {
                _ = try poll.wait(timeoutMilliseconds: 1)
            }
        }
        state.expire(now: UInt64.max)
        let elapsed = Double(min(Clocks.monotonicNanoseconds(), sendEnd) - t0) / 1e9
        return LoadResult(settings: settings, counters: state.counters, elapsed: elapsed,
                          latency: state.latencies.percentiles())
    }

    /// Begins the exchanges the schedule says are due (at most one batch per call).
    private func beginDue(_ state: inout RunState, now: UInt64, t0: UInt64) -> Int {
        let due = Int(Double(now - t0) * state.settings.rate / 1e9)
        var begun = 0
        while state.counters.started < due && begun < sender.capacity {
            let k = UInt32(truncatingIfNeeded: state.counters.started)
            guard state.table.isFree(k) else { break }
            if sender.isFull { flush(&state) }
            let subscriber = Int(k) % plan.count
            let xid = k & exchange.xidMask
            sender.enqueue(to: server) { exchange.writeFirst(xid: xid, subscriber: subscriber, into: $0) }
            state.table.begin(k, at: now)
            state.counters.started += 1
            state.inFlight += 1
            begun += 1
        }
        flush(&state)
        return begun
    }

    /// Reads one batch of replies and queues the second requests they call for.
    private func receiveReplies(_ state: inout RunState) throws(Errno) -> Int {
        let n = try receiver.receive(from: socket, wait: .nonBlocking)
        state.counters.received += n
        for i in 0..<n { handle(receiver[i].payload, &state) }
        return n
    }

    private func handle(_ datagram: UnsafeRawBufferPointer, _ state: inout RunState) {
        let now = Clocks.monotonicNanoseconds()
        guard let reply = exchange.decode(datagram) else { state.counters.unmatched += 1; return }
        let xid = exchange.xid(of: reply)
        let step = exchange.step(of: reply)
        let wanted: ExchangeTable.Phase = step == .first ? .first : .second
        guard step != .other, let slot = state.table.slot(xid: xid, xidMask: exchange.xidMask, in: wanted) else {
            state.counters.unmatched += 1
            return
        }
        let subscriber = Int(state.table.exchangeID(slot)) % plan.count
        if exchange.verify(reply, subscriber: subscriber) == .wrong { state.counters.wrong += 1 }
        switch step {
        case .first:
            state.counters.firstReplies += 1
            if sender.isFull { flush(&state) }
            sender.enqueue(to: server) {
                exchange.writeSecond(xid: xid, subscriber: subscriber, reply: reply, datagram: datagram, into: $0)
            }
            state.table.advance(slot)
        case .second:
            state.counters.completed += 1
            state.latencies.record(now &- state.table.startTime(slot))
            state.finish(slot)
        case .refused, .other:
            state.counters.refused += 1
            state.finish(slot)
        }
    }

    private func flush(_ state: inout RunState) {
        guard sender.pendingCount > 0 else { return }
        let r = sender.flush(to: socket)
        state.counters.sent += r.sent
        state.counters.sendErrors += r.dropped
    }
}

/// The mutable part of one run.
struct RunState {
    let settings: LoadSettings
    var counters = LoadCounters()
    var table: ExchangeTable
    var latencies = LatencyRecorder()
    var inFlight = 0
    /// The oldest exchange that may still be in flight.
    var oldest = 0

    init(settings: LoadSettings, plan: BenchPlan) {
        self.settings = settings
        table = ExchangeTable(minimum: Int(2 * settings.rate * settings.timeout) + 1)
    }

    mutating func finish(_ slot: Int) {
        table.finish(slot)
        inFlight -= 1
    }

    /// Counts every exchange older than the timeout as timed out, oldest first.
    mutating func expire(now: UInt64) {
        let limit = UInt64(settings.timeout * 1e9)
        while oldest < counters.started {
            let k = UInt32(truncatingIfNeeded: oldest)
            let slot = Int(k) & table.mask
            if table.exchangeID(slot) == k && table.phaseOf(k) != .idle {
                guard now == .max || now &- table.startTime(slot) > limit else { return }
                counters.timedOut += 1
                finish(slot)
            }
            oldest += 1
        }
    }

    /// Whether exchanges are due now (the loop should not sleep).
    func isBehind(now: UInt64, t0: UInt64, sendEnd: UInt64) -> Bool {
        now < sendEnd && Int(Double(now - t0) * settings.rate / 1e9) > counters.started
    }
}
