import IPC
import Logging
import ShadowCore
import ShadowOperations
import ShadowSystem
import Synchronization
import SystemPackage

/// The event writers the workers' event lines go to: each sink has its own queue, so a stuck one
/// never holds up the other.
struct EventSinks: Sendable {
    var tcp: EventWriter?
    var clickhouse: ClickHouseWriter?
}

/// The operations process's end of its channel to the master.
///
/// Requests go out from any task (one `send` per message, serialised); the answers come back on
/// the thread that runs ``serve()``, which also applies what the master pushes: the configuration,
/// each new snapshot (mapped here, so `lookup` reads it locally) and the workers' event lines
/// (handed to the event writer). An answer is matched to its request by the request id.
final class OpsLink: Sendable {
    let channel: SeqPacketChannelBox
    let generation: UInt64
    let logger: Logger
    private let sendLock = Mutex<Void>(())
    private let nextID = Atomic<UInt64>(1)
    private let pending = Mutex<[UInt64: CheckedContinuation<IPCMessage?, Never>]>([:])
    private let closed = Atomic<Bool>(false)
    private let live = Mutex<ManagementContext?>(nil)
    /// The configuration once it arrived (before the first snapshot, too).
    let configuration = Mutex<ServerConfig?>(nil)
    /// Who may use management, once the master sent it (tokens parsed here).
    let authorization = Mutex<(tokens: TokenTable?, group: ResolvedGroup?, tls: OpsTLSMaterial?)?>(nil)
    /// Where forwarded event lines go (set once the writers exist).
    let events = Mutex<EventSinks>(EventSinks())
    /// The key and sync state for the peer channel, once the master sent them (with `ha`).
    let peerSetup = Mutex<PeerSetup?>(nil)
    /// Where `local-bindings` go (set once the peer channel runs; dropped before).
    let peers = Mutex<PeerManager?>(nil)
    /// Last-served requests waiting for their answer (whose memfd is read on the channel's
    /// thread), by request id.
    private let lastServedWaiting = Mutex<[UInt64: CheckedContinuation<LastServedTimes?, Never>]>([:])
    /// Binding-table requests waiting for their begin → chunks → commit, by request id.
    private let tables = Mutex<[UInt64: (CheckedContinuation<[BindingRecord]?, Never>, BindingTableAssembler)]>([:])

    init(channel: SeqPacketChannel, generation: UInt64, logger: Logger) {
        self.channel = SeqPacketChannelBox(channel)
        self.generation = generation
        self.logger = logger
    }

    /// The live snapshot and configuration (nil until both arrived).
    var context: ManagementContext? { live.withLock { $0 } }

    /// The generation and digest of the last snapshot the master pushed.
    let announced = Mutex<(generation: UInt64, digest: UInt64)?>(nil)
    /// Called on the channel's thread with each snapshot the master pushes, once it is live here.
    let snapshotObserver = Mutex<(@Sendable (ReservationSnapshot) -> Void)?>(nil)

    // MARK: requests

    /// Sends the request `make(id)` builds and waits for the master's answer with that id; nil
    /// when the channel is gone (the process is then shutting down).
    func request(_ make: (UInt64) -> IPCMessage, passing fd: FileDescriptor? = nil) async -> IPCMessage? {
        let id = nextID.add(1, ordering: .relaxed).oldValue
        let message = make(id)
        let bytes: [UInt8]
        do {
            bytes = try IPCCodec.encode(message, generation: generation, direction: .opsToMaster)
        } catch {
            logger.error("cannot encode \(message.type): \(error)")
            return nil
        }
        return await withCheckedContinuation { (continuation: CheckedContinuation<IPCMessage?, Never>) in
            let accepted = pending.withLock { table -> Bool in
                guard !closed.load(ordering: .relaxed) else { return false }
                table[id] = continuation
                return true
            }
            guard accepted else { return continuation.resume(returning: nil) }
            do {
                try sendLock.withLock { _ in try channel.value.send(bytes, passing: fd) }
            } catch {
                logger.error("cannot send \(message.type) to the master: \(error)")
                if let c = pending.withLock({ $0.removeValue(forKey: id) }) { c.resume(returning: nil) }
            }
        }
    }

    /// Sends a message that has no answer (`peer-states`, `peer-bindings`), serialised with the
    /// requests. Blocks while the master's queue is full, as a request does.
    func send(_ message: IPCMessage) {
        do {
            let bytes = try IPCCodec.encode(message, generation: generation, direction: .opsToMaster)
            try sendLock.withLock { _ in try channel.value.send(bytes) }
        } catch {
            logger.error("cannot send \(message.type) to the master: \(error)")
        }
    }

    /// Sends `binding-table-request` and collects the master's begin → chunks → commit answer
    /// (table generation = the request id); nil when the channel is gone.
    func requestTable() async -> [BindingRecord]? {
        let id = nextID.add(1, ordering: .relaxed).oldValue
        let bytes: [UInt8]
        do {
            bytes = try IPCCodec.encode(.bindingTableRequest(id), generation: generation, direction: .opsToMaster)
        } catch {
            logger.error("cannot encode binding-table-request: \(error)")
            return nil
        }
        return await withCheckedContinuation { (continuation: CheckedContinuation<[BindingRecord]?, Never>) in
            let accepted = pending.withLock { _ -> Bool in
                guard !closed.load(ordering: .relaxed) else { return false }
                tables.withLock { $0[id] = (continuation, BindingTableAssembler()) }
                return true
            }
            guard accepted else { return continuation.resume(returning: nil) }
            do {
                try sendLock.withLock { _ in try channel.value.send(bytes) }
            } catch {
                logger.error("cannot send binding-table-request to the master: \(error)")
                if let c = tables.withLock({ $0.removeValue(forKey: id) }) { c.0.resume(returning: nil) }
            }
        }
    }

    /// Sends `last-served-request` and waits for the master's answer (which it gives within
    /// about 2 s); nil when the channel is gone.
    func requestLastServed() async -> LastServedTimes? {
        let id = nextID.add(1, ordering: .relaxed).oldValue
        let bytes: [UInt8]
        do {
            bytes = try IPCCodec.encode(.lastServedRequest(id), generation: generation, direction: .opsToMaster)
        } catch {
            logger.error("cannot encode last-served-request: \(error)")
            return nil
        }
        return await withCheckedContinuation { (continuation: CheckedContinuation<LastServedTimes?, Never>) in
            let accepted = pending.withLock { _ -> Bool in
                guard !closed.load(ordering: .relaxed) else { return false }
                lastServedWaiting.withLock { $0[id] = continuation }
                return true
            }
            guard accepted else { return continuation.resume(returning: nil) }
            do {
                try sendLock.withLock { _ in try channel.value.send(bytes) }
            } catch {
                logger.error("cannot send last-served-request to the master: \(error)")
                if let c = lastServedWaiting.withLock({ $0.removeValue(forKey: id) }) { c.resume(returning: nil) }
            }
        }
    }

    /// Sends `ready` (before anything else).
    func sendReady(_ ready: ReadyMessage) throws {
        try channel.value.send(IPCCodec.encode(.ready(ready), generation: generation, direction: .opsToMaster))
    }

    // MARK: what the master sends

    /// What ended ``serve(until:)``.
    enum End {
        /// `shutdown`, or the master closed the channel.
        case shutdown
        /// The master broke the protocol (or the channel failed): exit non-zero.
        case failure(String)
        /// The condition given to ``serve(until:)`` holds.
        case ready
    }

    /// Receives and applies messages until shutdown, a failure, or until `condition` holds after a
    /// message (used at start to wait for the configuration and the first snapshot).
    func serve(until condition: () -> Bool = { false }) -> End {
        while true {
            let received: ChannelReceive
            do { received = try channel.value.receive(wait: true) } catch { return .failure("IPC error: \(error)") }
            switch received {
            case .wouldBlock:
                continue
            case .closed:
                logger.warning("the master closed the channel")
                return .shutdown
            case .message(let bytes, let fd):
                defer { try? fd?.close() }
                let frame: IPCFrame
                do {
                    frame = try IPCCodec.decode(bytes, direction: .masterToOps, hasDescriptor: fd != nil)
                } catch {
                    return .failure("the master broke the IPC protocol: \(error)")
                }
                guard frame.generation == generation else { continue }
                if let end = apply(frame.message, descriptor: fd) { return end }
                if condition() { return .ready }
            }
        }
    }

    /// Resumes every waiting request with nil (the channel is gone).
    func closeRequests() {
        let waiting = pending.withLock { table in
            closed.store(true, ordering: .relaxed)
            defer { table.removeAll() }
            return Array(table.values)
        }
        for c in waiting { c.resume(returning: nil) }
        let tables = tables.withLock { table in
            defer { table.removeAll() }
            return Array(table.values)
        }
        for t in tables { t.0.resume(returning: nil) }
        let lastServed = lastServedWaiting.withLock { table in
            defer { table.removeAll() }
            return Array(table.values)
        }
        for c in lastServed { c.resume(returning: nil) }
    }

    private func apply(_ message: IPCMessage, descriptor: FileDescriptor?) -> End? {
        switch message {
        case .shutdown:
            logger.info("ops process shutting down")
            return .shutdown
        case .configure(let c):
            do {
                let config = try ConfigurationLoader.loadConfig(c.configJSON)
                _ = try ConfigurationLoader.loadIdentifiers(c.idsJSON)
                live.withLock { current in
                    current = ManagementContext(snapshot: current?.snapshot ?? .empty, config: config)
                }
                configuration.withLock { $0 = config }
            } catch {
                return .failure("the master sent a configuration that does not load: \(error)")
            }
        case .snapshot(let announcement):
            guard let descriptor else { return .failure("snapshot without a descriptor") }
            do {
                let mapping = try ReadOnlyMapping(descriptor: descriptor, announcedByteCount: announcement.byteCount)
                let snapshot = try SnapshotCodec.open(mapping.bytes, announcement: announcement, owner: mapping)
                live.withLock { current in
                    if let config = current?.config ?? configuration.withLock({ $0 }) {
                        current = ManagementContext(snapshot: snapshot, config: config)
                    }
                }
                announced.withLock { $0 = (announcement.snapshotGeneration, announcement.digest) }
                snapshotObserver.withLock { $0 }?(snapshot)
                logger.debug("ops process uses snapshot \(announcement.snapshotGeneration)")
            } catch {
                // The master is trusted; a snapshot it cannot have meant is a bug. Keep the old one.
                logger.error("ops process refused snapshot \(announcement.snapshotGeneration): \(error)")
            }
        case .access(let access):
            var tokens: TokenTable?
            if let file = access.tokensFile, let bytes = access.tokensJSON {
                do {
                    tokens = try ConfigurationLoader.loadTokens(bytes, fileName: file)
                } catch {
                    return .failure("the master sent a token file that does not load: \(error)")
                }
            }
            authorization.withLock { $0 = (tokens, access.group, access.tls) }
        case .peerSetup(let setup):
            peerSetup.withLock { $0 = setup }
        case .localBindings(let records):
            peers.withLock { $0 }?.localBindings(records)
        case .bindingTableBegin(let m):
            return feedTable(message, id: m.tableGeneration)
        case .bindingTableChunk(let c):
            return feedTable(message, id: c.tableGeneration)
        case .bindingTableCommit(let m):
            return feedTable(message, id: m.tableGeneration)
        case .lastServedResponse(let r):
            return lastServedAnswered(r, descriptor: descriptor)
        case .event(let lines):
            let sinks = events.withLock { $0 }
            if sinks.tcp != nil || sinks.clickhouse != nil {
                for line in lines.split(separator: 0x0A) {
                    let bytes = Array(line)
                    sinks.tcp?.submit(utf8: bytes)
                    sinks.clickhouse?.submit(utf8: bytes)
                }
            }
        default:
            guard let id = message.requestID else { return nil }
            guard let c = pending.withLock({ $0.removeValue(forKey: id) }) else {
                return .failure("the master answered request \(id), which is not waiting")
            }
            c.resume(returning: message)
        }
        return nil
    }
}

extension OpsLink {
    /// Reads the master's last-served answer (its sealed memfd must be exactly what the message
    /// says, or the master broke the protocol) and resumes the request waiting for it.
    private func lastServedAnswered(_ r: LastServedResponse, descriptor: FileDescriptor?) -> End? {
        guard let c = lastServedWaiting.withLock({ $0.removeValue(forKey: r.requestID) }) else {
            return .failure("the master answered last-served request \(r.requestID), which is not waiting")
        }
        do {
            guard let descriptor else { throw MappingError.sizeMismatch(expected: r.byteCount, actual: 0) }
            let mapping = try ReadOnlyMapping(descriptor: descriptor, expectedByteCount: r.byteCount)
            let n = Int(r.reservationCount)
            let v4 = try LastServedImage.times(mapping.bytes, generation: r.snapshotGeneration, reservations: n,
                                               protocols: 2, part: 0)
            let v6 = try LastServedImage.times(mapping.bytes, generation: r.snapshotGeneration, reservations: n,
                                               protocols: 2, part: 1)
            c.resume(returning: LastServedTimes(snapshotGeneration: r.snapshotGeneration, v4: v4, v6: v6,
                                                answeredV4: r.answeredV4, answeredV6: r.answeredV6,
                                                missingWorkers: r.missing.map { "\($0.kind)#\($0.index)" }))
            return nil
        } catch {
            c.resume(returning: nil)
            return .failure("the master sent an unusable last-served answer: \(error)")
        }
    }

    /// Feeds one part of a binding-table answer to the request waiting for it; resumes it at the
    /// commit. A part for no waiting request, or out of order, breaks the protocol.
    private func feedTable(_ message: IPCMessage, id: UInt64) -> End? {
        enum Step {
            case notWaiting, broken(String), more, done(CheckedContinuation<[BindingRecord]?, Never>, [BindingRecord])
        }
        let step = tables.withLock { table -> Step in
            guard var entry = table[id] else { return .notWaiting }
            do throws(BindingTableAssembler.Failure) {
                guard let records = try entry.1.feed(message) else {
                    table[id] = entry
                    return .more
                }
                table[id] = nil
                return .done(entry.0, records)
            } catch {
                table[id] = nil
                entry.0.resume(returning: nil)
                return .broken("\(error)")
            }
        }
        switch step {
        case .notWaiting:
            return .failure("the master sent \(message.type) for binding table request \(id), which is not waiting")
        case .broken(let why):
            return .failure("the master broke binding table answer \(id): \(why)")
        case .done(let continuation, let records):
            continuation.resume(returning: records)
        case .more:
            break
        }
        return nil
    }
}

/// Lets the channel (a non-Sendable class whose methods are thread-safe system calls) be shared
/// by the receiving thread and the tasks that send: sends are serialised by ``OpsLink``, and only
/// the serving thread receives.
final class SeqPacketChannelBox: @unchecked Sendable {
    let value: SeqPacketChannel
    init(_ value: SeqPacketChannel) { self.value = value }
}
