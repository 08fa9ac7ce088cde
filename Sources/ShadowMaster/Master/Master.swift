import IPC
import Logging
import ShadowCore
import ShadowSystem
import SystemPackage

/// The privileged supervisor: one thread, one poll loop over the signal descriptor and the IPC
/// channels of the workers and the operations process. It never parses a DHCP packet, a
/// management request or anything else that came from the network.
final class Master {
    struct Settings {
        var directory: String
        var ids: ServerIdentifiers
        var config: ServerConfig
        var workerConfiguration: WorkerConfiguration
        var executableDirectory: String
        var rootDirectory: String
        /// The account of each sandboxed process (``ProcessAccounts``).
        var accounts: ProcessAccounts
        /// What the operations process needs to decide who may use management.
        var opsAccess = OpsAccess()
        /// `ha.key_file`'s bytes, when `ha` is configured.
        var haKey: [UInt8]?
        /// The format of standard output's lines, resolved once (``LogOutput/resolvedFormat(_:)``)
        /// and handed to every process started.
        var logFormat: LogFormat = .json
    }

    let settings: Settings
    var logger: Logger
    let signals: SignalDescriptor
    /// The DHCP workers, then (when management, metrics or events are configured) the
    /// operations process: every sandboxed child.
    let workers: [WorkerSlot]
    /// The operations process's slot, if it runs.
    var ops: WorkerSlot? { workers.last.flatMap { $0.kind == .ops ? $0 : nil } }
    /// Where `replace` writes.
    var reservationsPath: String { ConfigDirectory.path(settings.directory, "reservations.json") }

    /// The reservations loaded at start, until the workers serve them (see ``housekeepingDue``).
    private var initialReservations: [Reservation]?
    /// Until when the housekeeping after a load waits for every DHCP worker to serve the new
    /// generation (a worker that is restarting does not hold it back longer).
    private var housekeepingDeadline: UInt64 = 0
    /// What the last load of a large `reservations.json` parsed, so that the next reload parses
    /// only the entries whose bytes changed (``ReservationMemo``; empty until the first reload,
    /// which takes the one built after start, ``startMemo``, when there is one).
    private var reservationMemo = ReservationMemo()
    /// The memo a reload replaced, until the workers serve the new set (see ``housekeepingDue``).
    private var retiredMemo: ReservationMemo?
    /// `reservations.json` as loaded at start, when large enough for a memo, until the workers
    /// serve it; then the first memo is built from it on a background thread (``startMemo``), so
    /// that the first reload does not parse every entry either.
    private var startBytes: [UInt8]?
    /// The first memo, built in the background after start (generation 1), taken by the first
    /// reload that finds no memo of its own if it is done by then.
    private let startMemo = BackgroundBuild<ReservationMemo>()
    /// A set was loaded or replaced: malloc holds what its parse freed (``FreedMemory``).
    private var freedMemoryToReturn = false
    /// A load or a worker's start-up ran code the master's steady state does not
    /// (``CodePages``): set by ``adopt(_:)``, at start and when a worker reports ready.
    var codePagesToRelease = false
    private(set) var snapshotGeneration: UInt64 = 1
    private(set) var snapshotLoadedAt = Clocks.unixMilliseconds()
    /// Reloads of `reservations.json` (SIGHUP or `reload`) that left the old snapshot live.
    private(set) var reloadFailures: UInt64 = 0
    /// The live reservations, read in place from the published snapshot file.
    var snapshot: ReservationSnapshot { publisher.snapshot }
    let publisher = SnapshotPublisher()
    /// Per-reservation changes: the working copy ops's commits are applied to.
    let changes: ReservationChanges
    var bindings: BindingTable
    let bindingStore: BindingStore
    /// Writes `bindings.json` off the poll loop; nil when its wake-up pipe could not be made (then
    /// the loop writes it itself).
    let bindingSaver = try? BindingSaver()
    /// Writes `reservations.json` for a `replace` after its set went live; nil when its wake-up
    /// pipe could not be made (then the loop writes it itself).
    let reservationWriter = try? ReservationWriter()
    /// A `replace` whose set is live and whose file is not written yet (``finishPendingReplace()``).
    var pendingReplace: PendingReplace?
    /// The state directory is writable by others than root: bindings are neither read nor written.
    var stateDirectoryRefused = false
    var bindingsDirty = false
    var lastBindingsSave = Clocks.monotonicMilliseconds()
    var bindingTableGeneration: UInt64 = 0
    /// Why the state directory is not usable, if it is not (reported, never fatal).
    var stateProblem: String?
    /// Event lines received from the workers since start (delivery is the operations process's job).
    var eventsReceived: UInt64 = 0
    var stopping = false
    var isStopping: Bool { stopping }
    /// High availability's state, when `ha` is configured.
    var ha: PeerShareState?
    /// The round of asking the workers for last-served times, while one runs.
    var lastServedQuery: LastServedQuery?
    var lastServedQueryID: UInt64 = 0
    /// Storm control's limits in force: config.json's at start, then what the last SIGHUP read.
    var rateLimits: RateLimitSettings

    static let bindingSaveIntervalMilliseconds: UInt64 = 60_000

    init(settings: Settings, reservations: [Reservation], reservationsBytes: [UInt8]? = nil, signals: SignalDescriptor,
         sockets: [(WorkerKind, FileDescriptor)], bulkListeners: [WorkerKind: FileDescriptor] = [:],
         opsListeners: [(ListenerRole, FileDescriptor)]?, logger: Logger) {
        self.settings = settings
        initialReservations = reservations
        startBytes = reservationsBytes
        self.signals = signals
        self.logger = logger
        // workers_v4 / workers_v6 processes per protocol, all reading the protocol's one socket.
        workers = sockets.flatMap { kind, udp in
            let count = kind == .v4 ? settings.config.workersV4 : settings.config.workersV6
            return (0..<count).map { WorkerSlot(kind: kind, index: $0, udp: udp, bulkListener: bulkListeners[kind]) }
        } + (opsListeners.map { [WorkerSlot(opsListeners: $0)] } ?? [])
        let now = Clocks.monotonicMilliseconds()
        for w in workers {
            w.outputLimit = OutputRateLimit(linesPerSecond: settings.config.logging.childLinesPerSecond, now: now)
        }
        bindings = BindingTable(capacity: settings.config.bindingTableSize)
        bindingStore = BindingStore(stateDirectory: settings.config.stateDir)
        rateLimits = settings.config.rateLimits
        ha = settings.config.ha.map { PeerShareState(settings: $0) }
        changes = ReservationChanges(path: ConfigDirectory.path(settings.directory, "reservations.json"),
                                     subnets: settings.config.subnetsV4)
    }

    /// Runs until SIGTERM or SIGINT; returns the exit status.
    func run() -> Int32 {
        prepareStateDirectory()
        loadBindings()
        do {
            try publisher.publish(initialReservations ?? [], generation: snapshotGeneration)
            prepareChanges()
            freedMemoryToReturn = true
            codePagesToRelease = true
            housekeepingDeadline = Clocks.monotonicMilliseconds() + Self.housekeepingWait
        } catch {
            logger.critical("cannot build the reservation snapshot: \(error)")
            return 1
        }
        for w in workers { start(w) }
        while !stopping { iterate() }
        shutdown()
        return 0
    }

    // MARK: the loop

    private func iterate() {
        let active = workers.filter { $0.channel != nil }
        var items: [(FileDescriptor, PollEvents)] = [(signals.descriptor, .readable)]
        for w in active { items.append((w.channel!.descriptor, w.outbox.isEmpty ? .readable : [.readable, .writable])) }
        let outputs = workers.flatMap(\.outputs)
        for output in outputs { items.append((output.readEnd, .readable)) }
        if let saver = bindingSaver { items.append((saver.descriptor, .readable)) }
        let writerAt = items.count
        if let writer = reservationWriter { items.append((writer.descriptor, .readable)) }
        var poll = PollSet(items)
        do {
            try poll.wait(timeoutMilliseconds: nextTimeout())
        } catch {
            logger.error("poll failed: \(error)")
            return
        }
        if !poll.events(at: 0).isEmpty { handleSignals() }
        for (i, w) in active.enumerated() {
            let events = poll.events(at: i + 1)
            if events.contains(.writable) { flushOutbox(of: w) }
            if !events.subtracting(.writable).isEmpty { drainChannel(of: w) }
        }
        for (i, output) in outputs.enumerated() where !poll.events(at: active.count + 1 + i).isEmpty {
            output.drain()
        }
        reportQuietDrops()
        if bindingSaver != nil, !poll.events(at: active.count + 1 + outputs.count).isEmpty { bindingSaveFinished() }
        if reservationWriter != nil, !poll.events(at: writerAt).isEmpty { reservationWriteFinished() }
        startPendingReplaceWrite()
        flushLocalBindings()
        expireLastServedQuery()
        restartDueWorkers()
        saveBindingsIfDue()
        guard housekeepingDue() else { return }
        // Released only now: 1,000,000 reservations take about 0.05 s, which the workers' first
        // snapshot no longer waits for.
        initialReservations = nil
        retiredMemo = nil
        if let bytes = startBytes {
            startBytes = nil
            buildStartMemo(from: bytes)
        }
        // After a load, what the parse freed goes back to the kernel once the handlers' own
        // copies are gone too.
        if freedMemoryToReturn {
            freedMemoryToReturn = false
            FreedMemory.returnToSystem()
        }
        // And the code only a load or a worker's start ran (parse, checks, audit) leaves the
        // master's resident set (docs/performance.md, "Memory at 10,000, per mapping").
        if codePagesToRelease {
            codePagesToRelease = false
            CodePages.releaseResident()
        }
    }

    /// Parses `bytes` (the file loaded at start) again on a background thread at the lowest
    /// priority, only to make the memo the first reload takes from: the same bytes under the
    /// same configuration give the same entries. If no thread can be started, the first reload
    /// parses everything and makes the memo itself.
    private func buildStartMemo(from bytes: [UInt8]) {
        let subnets = settings.config.subnetsV4, ms = settings.config.msClasslessRoutes
        startMemo.start(generation: 1) {
            BackgroundThread.lowerPriority()
            var memo = ReservationMemo()
            _ = try? ReservationLoader.load(bytes, subnets: subnets, msClasslessRoutes: ms, work: .threads, memo: &memo)
            return memo
        }
    }

    /// How long the housekeeping after a load waits at most for the workers, in milliseconds.
    static let housekeepingWait: UInt64 = 3000

    /// Whether the work a load leaves behind may run now: dropping the start-up reservations or
    /// the replaced memo, starting the memo of the start-up file, returning freed memory,
    /// releasing the code pages only the load ran. It waits until every DHCP worker serves the
    /// current generation, or until ``housekeepingDeadline``: before that the workers are
    /// checking the new image on the same CPUs, and every millisecond the master takes is one
    /// more before they answer from it.
    private func housekeepingDue() -> Bool {
        guard initialReservations != nil || retiredMemo != nil || startBytes != nil || freedMemoryToReturn
                || codePagesToRelease else {
            return false
        }
        return Clocks.monotonicMilliseconds() >= housekeepingDeadline || workersServe(snapshotGeneration)
    }

    /// Whether every DHCP worker has confirmed `generation` (or a later one).
    func workersServe(_ generation: UInt64) -> Bool {
        workers.allSatisfy { $0.kind == .ops || $0.appliedSnapshot >= generation }
    }

    /// The summary of a child's dropped output lines once it has been quiet for a second (a child
    /// that writes again gets it before its next line instead).
    private func reportQuietDrops() {
        let now = Clocks.monotonicMilliseconds()
        for w in workers where w.outputLimit.pendingDrops > 0 && now >= w.outputLimit.lastDropAt + 1000 {
            w.outputs.first?.reportDrops()
        }
    }

    /// Milliseconds until the next timer: a pending restart, the binding save, or the hand-over
    /// of learned bindings to ops.
    private func nextTimeout() -> Int32 {
        let now = Clocks.monotonicMilliseconds()
        var next = now + 1000
        for w in workers { if let at = w.restartAt { next = min(next, at) } }
        // While a save runs, its wake-up ends the wait.
        if bindingsDirty && bindingSaver?.isRunning != true && !stateDirectoryRefused {
            next = min(next, lastBindingsSave + Master.bindingSaveIntervalMilliseconds)
        }
        if let due = ha?.outgoingDue { next = min(next, due) }
        if let q = lastServedQuery { next = min(next, q.deadline) }
        if let due = pendingReplaceWriteDue { next = min(next, due) }
        return Int32(clamping: next > now ? next - now : 0)
    }

    private func handleSignals() {
        while let received = try? signals.next() {
            switch received.signal {
            case Signal.hangUp:
                logger.info("received SIGHUP, reloading reservations and rate limits", metadata: ["sender_pid": "\(received.senderPID)"])
                _ = reloadReservations()
                reloadRateLimits()
            case Signal.terminate, Signal.interrupt:
                logger.info("received shutdown signal, draining",
                            metadata: ["signal": "\(received.signal)", "sender_pid": "\(received.senderPID)"])
                stopping = true
            case Signal.child:
                reapChildren()
            default:
                break
            }
        }
    }

    // MARK: reservations

    /// Result of a reload: the reservation count, or every problem found.
    enum ReloadResult {
        case reloaded(count: Int, warnings: [String])
        case failed([String])
    }

    /// Re-reads `reservations.json` and, if it is valid, makes it live in both workers (SIGHUP and
    /// the management `reload` share this path). On any problem the old snapshot stays live.
    func reloadReservations() -> ReloadResult {
        finishPendingReplace()  // the file a replace made live is read, not the one before it
        if reservationMemo.count == 0 {
            // The start-up file's memo once its build is done. A reload that comes earlier parses
            // everything rather than wait behind a build at the lowest priority, which a busy
            // machine may hold back for long.
            if let built = startMemo.takeIfBuilt(generation: 1) { reservationMemo = built } else { startMemo.cancel() }
        }
        let previousMemo = reservationMemo
        let loaded: Loaded<[Reservation]>
        do {
            loaded = try ConfigDirectory.loadReservations(settings.directory, config: settings.config,
                                                          memo: &reservationMemo)
        } catch {
            logger.error("failed to reload reservations: \(error.lines.count) problem(s); the previous reservations stay live")
            for line in error.lines { logger.error("\(line)") }
            reloadFailures += 1
            return .failed(error.lines)
        }
        for line in loaded.warnings.lines { logger.warning("\(line)") }
        do {
            try install(loaded.value)
        } catch {
            logger.error("failed to publish reservations: \(error)")
            reloadFailures += 1
            return .failed(["\(error)"])
        }
        // Freed with the rest of what a load leaves behind, once the workers serve the new set:
        // releasing a large memo's entries one by one would take CPU from their checks.
        retiredMemo = previousMemo
        logger.info("reloaded reservations", metadata: ["count": "\(loaded.value.count)",
                                                        "reused": "\(reservationMemo.statistics.reused)",
                                                        "snapshot.generation": "\(snapshotGeneration)"])
        return .reloaded(count: loaded.value.count, warnings: loaded.warnings.lines)
    }

    /// Makes `new` the live reservations: a new generation, sent to every ready worker (and
    /// ops). The working copy of per-reservation changes no longer equals the live set: a new
    /// one is built in the background.
    func install(_ new: [Reservation]) throws {
        install(try SnapshotPublisher.prepare(new, generation: snapshotGeneration + 1))
    }

    /// ``install(_:)`` of a snapshot already encoded as the next generation.
    func install(_ prepared: SnapshotPublisher.Prepared) {
        changes.forget()
        adopt(prepared)
        prepareChanges()
    }

    /// Builds the working copy for per-reservation changes from the live snapshot on a background
    /// thread (``ReservationChanges/prepare(_:)``), when management can send changes at all:
    /// without it the master never holds one.
    private func prepareChanges() {
        let c = settings.config
        guard ops != nil, c.mgmtSocket != nil || c.mgmtAddress != nil || c.mgmtHTTPAddress != nil else { return }
        changes.prepare(snapshot)
    }

    /// Makes `prepared` (encoded as the next generation) live and sends it to every ready child.
    func adopt(_ prepared: SnapshotPublisher.Prepared) {
        publisher.adopt(prepared)
        freedMemoryToReturn = true
        codePagesToRelease = true
        housekeepingDeadline = Clocks.monotonicMilliseconds() + Self.housekeepingWait
        snapshotGeneration += 1
        snapshotLoadedAt = Clocks.unixMilliseconds()
        for w in workers where w.ready { sendSnapshot(to: w) }
    }

    func sendSnapshot(to w: WorkerSlot) {
        guard let a = publisher.announcement, let fd = publisher.descriptor else { return }
        send(.snapshot(a), to: w, passing: fd)
    }

    // MARK: IPC

    /// Sends `message` without ever blocking the master: when the worker's queue is full the
    /// message waits in the slot's outbox (flushed when the channel is writable again). A worker
    /// that lets more than ``WorkerSlot/outboxLimit`` bytes pile up is not reading: it is killed
    /// and restarted.
    func send(_ message: IPCMessage, to w: WorkerSlot, passing fd: FileDescriptor? = nil) {
        guard let channel = w.channel else { return }
        let bytes: [UInt8]
        do {
            bytes = try IPCCodec.encode(message, generation: w.generation, direction: w.kind.fromMaster)
        } catch {
            logger.error("\(w.kind.processName): cannot encode \(message.type): \(error)")
            return
        }
        if w.outbox.isEmpty {
            do {
                try channel.send(bytes, passing: fd, nonBlocking: true)
                return
            } catch .system(.resourceTemporarilyUnavailable) {
                // queued below
            } catch {
                logger.error("\(w.kind.processName): cannot send \(message.type): \(error)")
                abandon(w, reason: "IPC send failed")
                return
            }
        }
        // The descriptor may be closed by its owner before the message goes out: keep a copy.
        let copy = fd.flatMap { try? $0.duplicate() }
        w.outbox.append((bytes, copy))
        w.outboxBytes += bytes.count
        if w.outboxBytes > WorkerSlot.outboxLimit {
            logger.error("\(w.kind.processName) is not reading its channel (\(w.outboxBytes) bytes waiting)")
            abandon(w, reason: "not reading its channel")
        }
    }

    /// Sends what waits in `w`'s outbox, in order, until the channel is full again.
    func flushOutbox(of w: WorkerSlot) {
        while let channel = w.channel, let (bytes, fd) = w.outbox.first {
            do {
                try channel.send(bytes, passing: fd, nonBlocking: true)
            } catch .system(.resourceTemporarilyUnavailable) {
                return
            } catch {
                logger.error("\(w.kind.processName): cannot send a queued message: \(error)")
                abandon(w, reason: "IPC send failed")
                return
            }
            try? fd?.close()
            w.outbox.removeFirst()
            w.outboxBytes -= bytes.count
        }
    }

    /// Messages read from one child's channel per round of the poll loop: a child that floods
    /// its channel waits for the next round, so it cannot starve signals, management or the other
    /// children, which the loop serves in between (docs/privileges.md).
    static let messagesPerRound = 256

    /// Reads and handles up to ``messagesPerRound`` messages queued on `w`'s channel (the poll
    /// loop comes back for the rest); closes it at end of file.
    func drainChannel(of w: WorkerSlot) {
        var budget = Self.messagesPerRound
        while let channel = w.channel, budget > 0 {
            budget -= 1
            let received: ChannelReceive
            do {
                received = try channel.receive(wait: false)
            } catch {
                logger.error("\(w.kind.processName): IPC error: \(error)")
                abandon(w, reason: "IPC error")
                return
            }
            switch received {
            case .wouldBlock:
                return
            case .closed:
                closeChannel(of: w)
                return
            case .message(let bytes, let fd):
                // A descriptor (only a replace request carries one) is closed after handling.
                defer { try? fd?.close() }
                do {
                    let frame = try IPCCodec.decode(bytes, direction: w.kind.toMaster, hasDescriptor: fd != nil)
                    guard frame.generation == w.generation else { continue }
                    handle(frame.message, from: w, descriptor: fd)
                } catch {
                    logger.error("\(w.kind.processName) broke the IPC protocol: \(error); closing its channel")
                    abandon(w, reason: "protocol violation")
                    return
                }
            }
        }
    }

    private func handle(_ message: IPCMessage, from w: WorkerSlot, descriptor: FileDescriptor?) {
        // `ready` comes once per start; a second one is not something an honest child sends.
        if case .ready = message, w.ready {
            logger.error("\(w.kind.processName) sent ready a second time", metadata: ["worker.generation": "\(w.generation)"])
            abandon(w, reason: "ready sent twice")
            return
        }
        if w.kind == .ops {
            if case .ready(let m) = message {
                workerReady(w, m)
            } else if !handlePeerMessage(message, from: w) {
                answer(message, from: w, descriptor: descriptor)
            }
            return
        }
        switch message {
        case .ready(let m):
            workerReady(w, m)
        case .snapshotApplied(let m):
            w.appliedSnapshot = m.snapshotGeneration
            logger.debug("\(w.kind.processName) serves snapshot \(m.snapshotGeneration) (\(m.reservationCount) reservations)")
        case .snapshotRejected(let m):
            logger.error("\(w.kind.processName) refused snapshot \(m.snapshotGeneration): \(m.reason)")
        case .bindingLearned(let b):
            if let refusal = w.bindingAdmission.check(b, snapshot: snapshot, nowMilliseconds: Clocks.monotonicMilliseconds()) {
                refuseBinding(b, refusal, from: w)
            } else {
                learn(b)
            }
        case .event(let lines):
            eventsReceived &+= UInt64(lines.lazy.filter { $0 == 0x0A }.count)
            forwardEvents(lines, from: w)
        case .counters(let list):
            w.counters = Dictionary(list.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        case .lastServedReport(let r):
            lastServedReported(r, descriptor: descriptor, from: w)
        default:
            break  // the permission table lets nothing else through
        }
    }

    /// Counts a refused binding; logs the first refusal of each kind per worker start.
    private func refuseBinding(_ b: BindingLearned, _ refusal: BindingAdmission.Refusal, from w: WorkerSlot) {
        w.bindingsRefused &+= 1
        guard w.loggedRefusals.insert(refusal).inserted else { return }
        logger.warning("refusing learned bindings from the \(w.kind.processName)", metadata: [
            "reason": "\(refusal.rawValue)", "mac": "\(b.mac)", "worker.generation": "\(w.generation)",
            "note": "first of its kind from this worker; all are counted in workers' bindings_refused",
        ])
    }

    private func learn(_ b: BindingLearned) {
        let now = Clocks.unixMilliseconds() / 1000
        bindings.learn(mac: b.mac, option82: b.option82, now: now)
        bindingsDirty = true
        if let dropped = ha?.queue(BindingRecord(mac: b.mac, option82: b.option82, lastSeen: now)), dropped > 0 {
            logger.warning("""
                the ops process took no learned bindings for the HA peers: dropped the \(dropped) oldest \
                (\(ha?.outgoingDropped ?? 0) since start); the peers' table pull fills the gap
                """)
        }
        guard !stopping else { return }  // the v6 worker is being stopped too; the state file gets it
        for v6 in workers where v6.kind == .v6 && v6.ready {
            send(.bindingUpdate(BindingRecord(mac: b.mac, option82: b.option82, lastSeen: now)), to: v6)
        }
    }

    /// The whole binding table, oldest first, as IPC records.
    var bindingRecords: [BindingRecord] {
        bindings.entriesOldestFirst.map {
            BindingRecord(mac: $0.mac, option82: $0.entry.option82, lastSeen: $0.entry.lastSeen)
        }
    }

    /// Sends the whole binding table to a v6 worker (begin → chunks → commit).
    func sendBindingTable(to w: WorkerSlot) {
        bindingTableGeneration += 1
        do {
            for m in try BindingTableTransfer.messages(for: bindingRecords, tableGeneration: bindingTableGeneration) {
                send(m, to: w)
            }
        } catch {
            logger.error("cannot send the binding table to the \(w.kind.processName): \(error)")
        }
    }
}
