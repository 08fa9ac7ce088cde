import DHCPv4
import IPC
import Logging
import ShadowCore
import ShadowSystem
import SystemPackage

/// How the serving loop divides its time between datagrams and the master.
enum WorkerLoopTiming {
    /// SO_RCVTIMEO of the UDP socket: the longest the loop waits in `recvmmsg` before it looks at
    /// the channel and the snapshot builder when no datagram comes.
    static let receiveTimeoutMilliseconds = 50
    /// Under traffic, the channel and the snapshot builder are looked at after a batch once this
    /// much time has passed since the last look (one `poll` per interval, not per datagram).
    static let controlIntervalMilliseconds: UInt64 = 5
}

/// A worker's whole life after its privilege drop: configuration and first snapshot from the
/// master, then one thread serving the UDP socket and the IPC channel. While serving it waits in
/// `recvmmsg` itself (two system calls per datagram at a low rate, like a plain
/// `recvfrom`/`sendto` server) and looks at the channel between batches at least every
/// ``WorkerLoopTiming/controlIntervalMilliseconds`` under traffic and every
/// ``WorkerLoopTiming/receiveTimeoutMilliseconds`` without. A new snapshot or binding table is
/// swapped in between batches, so no packet ever sees half of one.
final class WorkerLoop<Handler: PacketHandler> {
    let kind: WorkerKind
    let generation: UInt64
    let channel: SeqPacketChannel
    let udp: FileDescriptor
    /// The bulk leasequery listener the master handed over (fd 5), if any.
    let bulkListener: FileDescriptor?
    var logger: Logger
    /// Bulk leasequery over TCP, once configured with `leasequery.bulk` and a listener.
    private var bulk: BulkLeasequeryServer?

    private var handler: Handler?
    private var sink: WorkerSink
    private var snapshot = ReservationSnapshot.empty
    /// When each reservation of `snapshot` was last served (the sink writes into it).
    private var lastServed = LastServedTable(count: 0)
    /// Relay records and address index while `leasequery` is enabled (v6 only).
    private var leasequeryV6: V6LeasequeryState?
    private var bindings = BindingTable()
    /// Which clients to answer: the master's latest `shares` (HA), everyone without.
    private var shares = WorkerShares.standalone
    private var assembler = BindingTableAssembler()
    private var lastCountersSent: UInt64 = 0
    private let builder: SnapshotBuilder
    private var building = false
    private var waitingSnapshot: (SnapshotAnnouncement, ReadOnlyMapping)?
    /// The leasequery indexes each snapshot build makes (v4 with `leasequery`), and the current one.
    private var leasequeryIndexing: LeasequeryIndexing?
    private var leasequeryIndex: LeasequeryIndex?
    /// With bulk leasequery (v4): the relay identifier of each reservation's last ACK.
    private var relayIDs: RelayIDTable?
    private let receiver = DatagramReceiver(capacity: 64, slotSize: 65535)
    private let sender = DatagramSender(capacity: 64, slotSize: 4096)

    init(kind: WorkerKind, generation: UInt64, channel: SeqPacketChannel, udp: FileDescriptor,
         bulkListener: FileDescriptor? = nil, logger: Logger) throws {
        self.kind = kind
        self.generation = generation
        self.channel = channel
        self.udp = udp
        self.bulkListener = bulkListener
        self.logger = logger
        sink = WorkerSink(for: Handler.self, logger: logger, eventsEnabled: false)
        builder = try SnapshotBuilder()
    }

    /// Runs until the master says shutdown (0) or the channel breaks (1). UDP is read only once
    /// the worker has a configuration and a snapshot; until then datagrams wait in the socket.
    func run() -> Int32 {
        do {
            var control = PollSet([(channel.descriptor, .readable), (builder.descriptor, .readable)])
            // Until there is a configuration and a snapshot, only the master is listened to;
            // datagrams wait in the socket.
            while handler == nil || snapshot.generation == 0 {
                try control.wait(timeoutMilliseconds: 1000)
                guard try handleControl(control) else { return 0 }
            }
            logger.info("\(kind) worker serving", metadata: [
                "reservations": "\(snapshot.count)", "snapshot.generation": "\(snapshot.generation)"])
            // Nothing arrived within the receive timeout (or the socket does not block, or a bulk
            // connection is open): wait for a datagram, the master or a connection, whichever
            // comes first. Bulk leasequery descriptors follow the three fixed ones.
            let fixed: [(FileDescriptor, PollEvents)] = [(channel.descriptor, .readable), (builder.descriptor, .readable),
                                                         (udp, .readable)]
            var plainIdle = PollSet(fixed)
            var lastControl = Clocks.monotonicMilliseconds()
            sink.nowMilliseconds = UInt32(truncatingIfNeeded: lastControl)
            while true {
                if try serveBatch(wait: bulk?.isActive == true ? .nonBlocking : .waitForOne) == 0 {
                    if let bulk {
                        var idle = PollSet(fixed + bulk.pollItems)
                        try idle.wait(timeoutMilliseconds: 1000)
                        guard try handleControl(idle) else { return 0 }
                        serveBulk(idle, from: 3)
                    } else {
                        try plainIdle.wait(timeoutMilliseconds: 1000)
                        guard try handleControl(plainIdle) else { return 0 }
                    }
                    lastControl = Clocks.monotonicMilliseconds()
                    sink.nowMilliseconds = UInt32(truncatingIfNeeded: lastControl)
                    sendCountersIfDue()
                    continue
                }
                let now = Clocks.monotonicMilliseconds()
                sink.nowMilliseconds = UInt32(truncatingIfNeeded: now)
                if now &- lastControl >= WorkerLoopTiming.controlIntervalMilliseconds {
                    lastControl = now
                    if bulk == nil {
                        try control.wait(timeoutMilliseconds: 0)
                        guard try handleControl(control) else { return 0 }
                    } else {
                        var withBulk = PollSet([(channel.descriptor, .readable), (builder.descriptor, .readable)]
                                               + (bulk?.pollItems ?? []))
                        try withBulk.wait(timeoutMilliseconds: 0)
                        guard try handleControl(withBulk) else { return 0 }
                        serveBulk(withBulk, from: 2)
                    }
                    sendCountersIfDue()
                }
            }
        } catch {
            logger.error("\(kind) worker stopping: \(error)")
            return 1
        }
    }

    /// Reads what the master sent and takes a finished snapshot build, as `control` reported them.
    /// Returns false on shutdown or when the master closed the channel.
    private func handleControl(_ control: PollSet) throws -> Bool {
        sink.servedAt = UInt32(truncatingIfNeeded: Clocks.unixMilliseconds() / 1000)
        if !control.events(at: 0).isEmpty {
            repeat {
                guard try handleIPC(wait: false) else { return false }
            } while channelHasMore
        }
        if !control.events(at: 1).isEmpty { try finishSnapshot() }
        return true
    }

    // MARK: IPC

    private var channelHasMore = false

    /// Handles one message (or none when not waiting and nothing is queued). Returns false on
    /// shutdown or when the master closed the channel.
    private func handleIPC(wait: Bool) throws -> Bool {
        channelHasMore = false
        switch try channel.receive(wait: wait) {
        case .wouldBlock:
            return true
        case .closed:
            logger.warning("\(kind) worker: master closed the channel, exiting")
            return false
        case .message(let bytes, let descriptor):
            defer { try? descriptor?.close() }
            let frame = try IPCCodec.decode(bytes, direction: kind.fromMaster, hasDescriptor: descriptor != nil)
            channelHasMore = true
            return try apply(frame.message, descriptor: descriptor)
        }
    }

    private func apply(_ message: IPCMessage, descriptor: FileDescriptor?) throws -> Bool {
        switch message {
        case .shutdown:
            logger.info("\(kind) worker shutting down")
            return false
        case .configure(let c):
            try configure(c)
        case .snapshot(let announcement):
            if let refusal = startSnapshot(announcement, descriptor) { try send(refusal) }
        case .lastServedQuery(let id):
            try reportLastServed(id)
        case .shares(let s):
            shares = s  // from the next batch on
            logger.info("\(kind) worker: shares", metadata: [
                "ha.mode": "\(s.shares.mode.rawValue)", "ha.answering": "\(s.shares.answering)",
                "ha.hold_correlation": "\(s.holdCorrelation)"])
        case .rateLimits(let limits):
            applyRateLimits(limits)
        case .bindingUpdate(let r):
            bindings.learn(mac: r.mac, option82: r.option82, now: r.lastSeen)
        case .bindingRemove(let mac):
            bindings.remove(mac: mac)
        case .bindingTableBegin, .bindingTableChunk, .bindingTableCommit:
            if let records = try assembler.feed(message) {
                var table = BindingTable(capacity: bindings.capacity)
                for r in records { table.learn(mac: r.mac, option82: r.option82, now: r.lastSeen) }
                bindings = table
            }
        default:
            break  // the direction's permission table already refused everything else
        }
        return true
    }

    private func configure(_ c: WorkerConfiguration) throws {
        let ids = try ConfigurationLoader.loadIdentifiers(c.idsJSON)
        let config = try ConfigurationLoader.loadConfig(c.configJSON)
        handler = Handler(config: config, ids: ids)
        logger.logLevel = config.logging.level.swiftLogLevel
        sink = WorkerSink(for: Handler.self, logger: logger, eventsEnabled: config.events.isEnabled)
        sink.lastServed = lastServed.times
        sink.servedAt = UInt32(truncatingIfNeeded: Clocks.unixMilliseconds() / 1000)
        sink.nowMilliseconds = UInt32(truncatingIfNeeded: Clocks.monotonicMilliseconds())
        leasequeryIndexing = kind == .v4 ? config.leasequery.map { LeasequeryIndexing(bulk: $0.bulk) } : nil
        if leasequeryIndexing != nil, leasequeryIndex == nil, snapshot.generation != 0 {
            leasequeryIndex = LeasequeryIndex(snapshot, bulk: leasequeryIndexing?.bulk ?? false)
        }
        sink.leasequeryIndex = leasequeryIndexing == nil ? nil : leasequeryIndex
        if leasequeryIndexing?.bulk == true, relayIDs == nil { relayIDs = RelayIDTable(count: snapshot.count) }
        sink.relayIDs = leasequeryIndexing?.bulk == true ? relayIDs : nil
        if let settings = config.leasequery, settings.bulk, let bulkListener, bulk == nil {
            bulk = BulkLeasequeryServer(listener: bulkListener, limits: BulkLimits(settings)) { settings.allows($0) }
            logger.info("\(kind) worker: bulk leasequery", metadata: [
                "max_connections": "\(settings.bulkMaxConnections)", "max_message_bytes": "\(settings.bulkMaxMessageBytes)"])
        }
        if bindings.capacity != config.bindingTableSize { bindings = BindingTable(capacity: config.bindingTableSize) }
        configureLeasequery(config)
        applyRateLimits(config.rateLimits, configuring: true)
    }

    /// Storm control's tables for `limits` (docs/dhcpv4.md, "Storm control"), allocated here once,
    /// never per packet. New limits start with fresh, full buckets; the same limits keep the
    /// current ones.
    private func applyRateLimits(_ limits: RateLimitSettings, configuring: Bool = false) {
        guard configuring || limits != rateLimits else { return }
        rateLimits = limits
        sink.rateLimiter = RateLimiter(limits, reservations: snapshot.count)
        if configuring { rateLimitedLogged = (0, 0) }  // a new sink counts from 0
        logger.info("\(kind) worker: rate limits", metadata: [
            "rate_limits.per_client_per_s": "\(limits.perClientPerSecond)",
            "rate_limits.per_relay_per_s": "\(limits.perRelayPerSecond)",
            "rate_limits.memory_bytes": "\(sink.rateLimiter?.byteCount ?? 0)"])
    }

    /// Storm control's client table sized for a new snapshot's `reservations` (docs/dhcpv4.md,
    /// "Storm control"): made again, buckets carried over, only when the size it asks for differs.
    private func fitRateLimits(to reservations: Int) {
        guard let limiter = sink.rateLimiter, limiter.fit(reservations: reservations) else { return }
        sink.rateLimiter = limiter  // the sink takes the new table's words
        logger.info("\(kind) worker: rate limit table resized", metadata: [
            "reservations": "\(reservations)", "rate_limits.client_slots": "\(limiter.clients?.slotCount ?? 0)",
            "rate_limits.memory_bytes": "\(limiter.byteCount)"])
    }

    /// The limits in force (nil before the configuration).
    private var rateLimits: RateLimitSettings?
    /// The rate-limited drop counters when last summarised in the log.
    private var rateLimitedLogged: (client: UInt64, relay: UInt64) = (0, 0)

    /// At most one line per second per reason (from ``sendCountersIfDue()``): how many requests
    /// storm control refused since the last line, never a line per refused request.
    private func logRateLimited() {
        let client = sink.counters[CommonCounter.dropRateLimitedClient.name]
        let relay = sink.counters[CommonCounter.dropRateLimitedRelay.name]
        if client > rateLimitedLogged.client {
            logger.warning("\(kind) worker: requests over a client's rate limit not answered", metadata: [
                "reason": "RateLimitedClient", "count": "\(client - rateLimitedLogged.client)",
                "rate_limits.per_client_per_s": "\(sink.rateLimiter?.settings.perClientPerSecond ?? 0)"])
        }
        if relay > rateLimitedLogged.relay {
            logger.warning("\(kind) worker: requests over a relay's rate limit not answered", metadata: [
                "reason": "RateLimitedRelay", "count": "\(relay - rateLimitedLogged.relay)",
                "rate_limits.per_relay_per_s": "\(sink.rateLimiter?.settings.perRelayPerSecond ?? 0)"])
        }
        rateLimitedLogged = (client, relay)
    }

    /// The v6 worker keeps relay records and an address index only while `leasequery` is enabled
    /// (docs/leasequery.md, "Memory"). Enabling it by a reload builds the index of the current
    /// snapshot here, between two batches; later snapshots get theirs on the builder's thread.
    private func configureLeasequery(_ config: ServerConfig) {
        guard kind == .v6, config.leasequery != nil else {
            if leasequeryV6 != nil { logger.info("\(kind) worker: leasequery off, relay records released") }
            leasequeryV6 = nil
            return
        }
        if leasequeryV6 == nil {
            let started = Clocks.monotonicMilliseconds()
            let state = V6LeasequeryState(snapshot: snapshot)
            leasequeryV6 = state
            logger.info("\(kind) worker: leasequery on", metadata: [
                "leasequery.relay_record_slots": "\(state.records.capacity)",
                "leasequery.memory_bytes": "\(state.records.byteCount)",
                "leasequery.index_ms": "\(Clocks.monotonicMilliseconds() &- started)"])
        }
        sink.leasequeryV6 = leasequeryV6
    }

    /// Maps an announced snapshot and starts building it (or queues it behind the one being
    /// built: only the newest waiting one is kept). Returns a refusal to send, if any.
    private func startSnapshot(_ a: SnapshotAnnouncement, _ fd: FileDescriptor?) -> IPCMessage? {
        func reject(_ reason: SnapshotRejected.Reason, _ why: String) -> IPCMessage {
            logger.error("\(kind) worker refused snapshot \(a.snapshotGeneration): \(why)")
            return .snapshotRejected(SnapshotRejected(snapshotGeneration: a.snapshotGeneration, reason: reason))
        }
        guard let fd else { return reject(.unusableDescriptor, "no descriptor") }
        let mapping: ReadOnlyMapping
        do {
            mapping = try ReadOnlyMapping(descriptor: fd, announcedByteCount: a.byteCount)
        } catch {
            if case .sizeMismatch = error { return reject(.sizeMismatch, "\(error)") }
            return reject(.unusableDescriptor, "\(error)")
        }
        if building {
            waitingSnapshot = (a, mapping)
            return nil
        }
        do {
            try builder.start(a, mapping, replacing: snapshot, leasequery: leasequeryIndexing,
                              addressIndex: leasequeryV6 != nil)
            building = true
            return nil
        } catch {
            return reject(.unusableDescriptor, "cannot start a build thread: \(error)")
        }
    }

    /// Swaps in a finished build (between two batches) and reports it to the master.
    private func finishSnapshot() throws {
        guard let (a, outcome) = builder.take() else { return }
        building = false
        switch outcome {
        case .built(let new, let sameIndexes, let index, let addressIndex):
            snapshot = new
            lastServed = lastServed.carried(over: sameIndexes)
            sink.lastServed = lastServed.times
            leasequeryIndex = index
            sink.leasequeryIndex = index
            leasequeryV6?.replaceSnapshot(new, sameIndexes: sameIndexes, index: addressIndex)
            relayIDs = relayIDs?.carried(over: sameIndexes)
            sink.relayIDs = relayIDs
            fitRateLimits(to: new.count)
            logger.info("\(kind) worker applied snapshot", metadata: [
                "snapshot.generation": "\(a.snapshotGeneration)", "reservations": "\(new.count)"])
            try send(.snapshotApplied(SnapshotApplied(snapshotGeneration: a.snapshotGeneration,
                                                      reservationCount: UInt32(new.count))))
            // The code of the start-up (checks, the privilege drop) and of the build (decoding,
            // indexing) leaves the resident set; the serving path's comes back as it runs
            // (docs/performance.md, "Memory at 10,000, per mapping").
            CodePages.releaseResident()
        case .rejected(let reason, let why):
            logger.error("\(kind) worker refused snapshot \(a.snapshotGeneration): \(why)")
            try send(.snapshotRejected(SnapshotRejected(snapshotGeneration: a.snapshotGeneration, reason: reason)))
        }
        if let (next, mapping) = waitingSnapshot {
            waitingSnapshot = nil
            do {
                try builder.start(next, mapping, replacing: snapshot, leasequery: leasequeryIndexing,
                                  addressIndex: leasequeryV6 != nil)
                building = true
            } catch {
                try send(.snapshotRejected(SnapshotRejected(snapshotGeneration: next.snapshotGeneration,
                                                            reason: .unusableDescriptor)))
            }
        }
    }

    private func send(_ message: IPCMessage, passing fd: FileDescriptor? = nil, nonBlocking: Bool = false) throws {
        let bytes = try IPCCodec.encode(message, generation: generation, direction: kind.toMaster)
        try channel.send(bytes, passing: fd, nonBlocking: nonBlocking)
    }

    /// Answers the master's `last-served-query` with this worker's times in a sealed memfd
    /// (4 bytes per reservation, written between two batches: about a millisecond per million).
    /// When no memfd can be made the query goes unanswered and the master reports this worker as
    /// missing.
    private func reportLastServed(_ id: UInt64) throws {
        let fd: FileDescriptor
        do {
            fd = try lastServed.sealedFile(generation: snapshot.generation)
        } catch {
            logger.error("\(kind) worker cannot report last-served times: \(error)")
            return
        }
        defer { try? fd.close() }
        try send(.lastServedReport(LastServedReport(queryID: id, snapshotGeneration: snapshot.generation,
                                                    reservationCount: UInt32(lastServed.times.count))),
                 passing: fd)
    }

    // MARK: packets

    /// Waits for datagrams (at most the socket's receive timeout), answers what arrived, flushes
    /// the replies, then reports events and bindings. Returns the number of datagrams.
    private func serveBatch(wait: DatagramReceiver.Wait) throws -> Int {
        guard let handler else { return 0 }
        let n = try receiver.receive(from: udp, wait: wait)
        guard n > 0 else { return 0 }
        handler.answer(batch: n, { receiver[$0] }, snapshot: snapshot, bindings: bindings, shares: shares,
                       sender: sender, sink: &sink)
        let flushed = sender.flush(to: udp)
        if flushed.dropped > 0 {
            sink.count(.dropSendFailed, by: UInt64(flushed.dropped))
            logger.error("\(kind) worker: \(flushed.dropped) replies not sent: \(flushed.lastError.map { "\($0)" } ?? "?")")
        }
        report()
        return n
    }

    /// Serves the bulk leasequery descriptors, whose poll results start at entry `first` of `poll`,
    /// then hands the queries' events to the master like a batch's.
    private func serveBulk(_ poll: PollSet, from first: Int) {
        guard let bulk, let handler else { return }
        let events = (first..<poll.count).map { poll.events(at: $0) }
        let snapshot = self.snapshot, bindings = self.bindings
        bulk.service(events, now: Clocks.monotonicMilliseconds(), answer: { query, peer in
            handler.bulkAnswer(query, from: peer, snapshot: snapshot, bindings: bindings, sink: &sink)
        }, count: { event in
            sink.count(event)
            if event != .accepted && event != .closedByPeer {
                logger.info("\(kind) worker: bulk leasequery connection closed", metadata: ["reason": "\(event.rawValue)"])
            }
        })
        report()
    }

    /// Hands the batch's learned bindings and events to the master.
    private func report() {
        defer { sink.endBatch() }
        for b in sink.learned {
            bindings.learn(mac: b.mac, option82: b.option82, now: Clocks.unixMilliseconds() / 1000)
            unreportedBindings.append(b)
        }
        reportBindings()
        var events = sink.events[...]
        let limit = IPCLimits.maximumMessageSize - IPCHeader.size
        while !events.isEmpty {
            // Cut at the last whole line that fits.
            var end = min(events.count, limit) + events.startIndex
            if end < events.endIndex, let nl = events[..<end].lastIndex(of: 0x0A) { end = nl + 1 }
            do {
                try send(.event(Array(events[..<end])), nonBlocking: true)
            } catch {
                sink.count(.eventsDropped, by: UInt64(events[..<end].filter { $0 == 0x0A }.count))
            }
            events = events[end...]
        }
    }

    /// Bindings learned but not yet handed to the master (its queue was full).
    private var unreportedBindings: [BindingLearned] = []
    private let unreportedBindingLimit = 100_000

    /// Hands learned bindings to the master without blocking the packet path; what does not fit
    /// now is retried after the next batch (and at least every second), the oldest dropped and
    /// counted beyond `unreportedBindingLimit` (the refresh re-reports an active subscriber).
    private func reportBindings() {
        var sent = 0
        for b in unreportedBindings {
            do {
                try send(.bindingLearned(b), nonBlocking: true)
                sent += 1
            } catch ChannelError.system(.resourceTemporarilyUnavailable) {
                break
            } catch {
                logger.error("\(kind) worker: binding not reported: \(error)")
                sent += 1
            }
        }
        unreportedBindings.removeFirst(sent)
        let excess = unreportedBindings.count - unreportedBindingLimit
        if excess > 0 {
            unreportedBindings.removeFirst(excess)
            sink.count(.bindingsDropped, by: UInt64(excess))
        }
    }

    private func sendCountersIfDue() {
        let now = Clocks.monotonicMilliseconds()
        guard now &- lastCountersSent >= 1000, !sink.counters.isEmpty else { return }
        lastCountersSent = now
        logRateLimited()
        if !unreportedBindings.isEmpty { reportBindings() }
        try? send(.counters(sink.counters.reported), nonBlocking: true)
    }
}
