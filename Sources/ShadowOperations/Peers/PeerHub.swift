import Crypto
import IPC
import Logging
import NIOCore
import ShadowCore
import ShadowSystem

/// The peer channel's state, confined to the ``PeerManager``'s event loop: the configured peers
/// and what is known of each, the open connections, the table pull, the counters.
final class PeerHub {
    /// What is known of one configured peer.
    struct Entry {
        let name: String
        let address: ShadowCore.SocketAddress
        /// An outgoing connection exists (connecting or open).
        var dialing = false
        var nextDial: NIODeadline
        var lastHeartbeat: NIODeadline?
        var heartbeat: PeerHeartbeat?
        /// Its last connection failed authentication (cleared by an authenticated one).
        var failedAuthentication = false
        /// What the last change said (for the event on the next one).
        var reported = PeerState.down
        /// Bindings waiting to be sent to it, oldest first.
        var queue = CircularBuffer<BindingRecord>()
        var sent: UInt64 = 0
        var received: UInt64 = 0
        var dropped: UInt64 = 0
        /// Since when its digest differs from this server's (while it is up).
        var mismatchSince: NIODeadline?
        var nextMismatchWarning: NIODeadline?
    }

    /// The table pull in progress: on which connection, what arrived so far.
    struct Pull {
        var connection: UInt64
        var records: [BindingRecord] = []
    }

    let configuration: PeerManager.Configuration
    var settings: HASettings { configuration.settings }
    let key: SymmetricKey
    let master: any PeerMasterLink
    let eventLoop: any EventLoop
    let logger: Logger
    let events: (@Sendable (String) -> Void)?
    weak var manager: PeerManager?

    var started = NIODeadline.now()
    var peers: [Entry]
    var connections: [UInt64: PeerConnectionHandler] = [:]
    private var nextConnectionID: UInt64 = 1
    var refused: [String: UInt64] = [:]
    var synced: Bool
    var pull: Pull?
    var lastStates: PeerStates?
    var bindingCount: UInt32 = 0
    private var countPending = false
    private var timers: [RepeatedTask] = []
    private var stopped = false

    init(configuration: PeerManager.Configuration, master: any PeerMasterLink, eventLoop: any EventLoop,
         logger: Logger, events: (@Sendable (String) -> Void)?) {
        self.configuration = configuration
        self.key = SymmetricKey(data: configuration.key)
        self.master = master
        self.eventLoop = eventLoop
        self.logger = logger
        self.events = events
        self.synced = configuration.tableSynced
        let now = NIODeadline.now()
        peers = configuration.settings.peers.map { Entry(name: $0.name, address: $0.address, nextDial: now) }
    }

    // MARK: life

    func begin(manager: PeerManager) {
        self.manager = manager
        started = .now()
        let tick = eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: configuration.tickInterval) { [weak manager] _ in
            manager?.hub.value.tick()
        }
        let beat = eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: configuration.heartbeatInterval) {
            [weak manager] _ in manager?.hub.value.heartbeat()
        }
        timers = [tick, beat]
        if !synced {
            logger.info("HA: pulling the binding table from the first peer that authenticates (at most \(configuration.tablePullTimeout.nanoseconds / 1_000_000) ms)")
        }
        evaluate(now: started)
    }

    func stop() {
        stopped = true
        for t in timers { t.cancel() }
        timers = []
        for c in Array(connections.values) { c.close() }
    }

    /// Every `tickInterval`: states, queued bindings, dials, deadlines.
    func tick() {
        guard !stopped else { return }
        let now = NIODeadline.now()
        if !synced && now - started >= configuration.tablePullTimeout {
            synced = true
            logger.warning("HA: no peer answered the binding table pull within \(configuration.tablePullTimeout.nanoseconds / 1_000_000) ms; serving without a peer's bindings")
        }
        closeStale(now: now)
        evaluate(now: now)
        for i in peers.indices { flush(i) }
        checkDigests(now: now)
        for i in peers.indices where !peers[i].dialing && now >= peers[i].nextDial { dial(i, now: now) }
    }

    /// Every `heartbeat_ms`: a heartbeat on every authenticated connection; the binding count
    /// asked from the master for the next one.
    func heartbeat() {
        guard !stopped else { return }
        let snapshot = master.liveSnapshot()
        let beat = PeerHeartbeat(name: settings.thisServer, mode: settings.mode, state: synced ? .serving : .syncing,
                                 snapshotGeneration: snapshot?.generation ?? 0, snapshotDigest: snapshot?.digest ?? 0,
                                 bindingCount: bindingCount)
        for c in connections.values where c.isEstablished { c.send(.heartbeat(beat)) }
        guard !countPending else { return }
        countPending = true
        let master = self.master
        let manager = self.manager
        Task {
            let count = await master.bindingCount()
            manager?.eventLoop.execute {
                guard let hub = manager?.hub.value else { return }
                hub.countPending = false
                if let count { hub.bindingCount = UInt32(clamping: count) }
            }
        }
    }

    // MARK: connections

    /// A handler for an accepted connection, or nil when too many are open.
    func accepted() -> PeerConnectionHandler? {
        guard !stopped else { return nil }
        guard connections.count < configuration.maxConnections else {
            count("too_many_connections")
            logger.warning("HA: refused a peer connection: \(connections.count) are open")
            return nil
        }
        return handler(role: .acceptor, allowed: Set(peers.map(\.name)), peerIndex: nil)
    }

    /// A handler for an outgoing connection to peer `index`.
    func dialer(for index: Int) -> PeerConnectionHandler {
        handler(role: .dialer, allowed: [peers[index].name], peerIndex: index)
    }

    private func handler(role: PeerSession.Role, allowed: Set<String>, peerIndex: Int?) -> PeerConnectionHandler {
        let session = PeerSession(role: role, key: key, name: settings.thisServer, nonce: PeerSession.freshNonce(),
                                  allowedPeers: allowed)
        defer { nextConnectionID += 1 }
        return PeerConnectionHandler(id: nextConnectionID, hub: self, session: session, peerIndex: peerIndex)
    }

    private func dial(_ i: Int, now: NIODeadline) {
        guard let manager else { return }
        peers[i].dialing = true
        let address: NIOCore.SocketAddress
        do {
            address = try EventSender.nioAddress(peers[i].address)
        } catch {
            peers[i].dialing = false
            peers[i].nextDial = now + configuration.effectiveRedialInterval
            return
        }
        let name = peers[i].name
        manager.dial(i, address: address).whenFailure { [weak manager] error in
            guard let hub = manager?.hub.value else { return }
            hub.peers[i].dialing = false
            hub.peers[i].nextDial = .now() + hub.configuration.effectiveRedialInterval
            hub.logger.debug("HA: cannot connect to peer \(name): \(error)", metadata: ["ha.peer": "\(name)"])
        }
    }

    func opened(_ c: PeerConnectionHandler) {
        guard !stopped else { return c.close() }
        connections[c.id] = c
    }

    func authenticated(_ c: PeerConnectionHandler) {
        if c.peerIndex == nil { c.peerIndex = peers.firstIndex { $0.name == c.session.peerName } }
        guard let i = c.peerIndex else { return c.close() }
        peers[i].failedAuthentication = false
        logger.info("HA: peer \(peers[i].name) authenticated", metadata: metadata(c))
        startPullIfNeeded()
    }

    func closed(_ c: PeerConnectionHandler, byUs: Bool) {
        connections[c.id] = nil
        let now = NIODeadline.now()
        if c.role == .dialer, let i = c.peerIndex {
            peers[i].dialing = false
            peers[i].nextDial = max(peers[i].nextDial, c.opened + configuration.effectiveRedialInterval)
            if !byUs && c.session.state == .awaitingAuthOK {
                // It read our auth and hung up: it does not hold our key (or not our name).
                peers[i].failedAuthentication = true
                count("rejected_by_peer")
                logger.warning("HA: peer \(peers[i].name) closed the connection during authentication (wrong key?)",
                               metadata: metadata(c))
            }
        }
        if pull?.connection == c.id {
            pull = nil
            startPullIfNeeded()
        }
        evaluate(now: now)
    }

    /// Closes `c` for `reason` (counted, logged with its address and name).
    func refuse(_ c: PeerConnectionHandler, reason: String, detail: String, beforeAuthentication: Bool) {
        count(reason)
        let index = c.peerIndex ?? c.session.peerName.flatMap { n in peers.firstIndex { $0.name == n } }
            ?? peers.firstIndex { $0.address.ipDescription == c.remoteIP }
        // Only a failed proof of the key (or a name we do not know) makes a peer unauthenticated;
        // garbage from its address is counted, not held against it.
        if beforeAuthentication, reason == "authentication" || reason == "unknown_peer", let index {
            peers[index].failedAuthentication = true
        }
        logger.warning("HA: closing a peer connection: \(detail)",
                       metadata: metadata(c).merging(["ha.reason": "\(reason)"]) { a, _ in a })
        c.close()
    }

    private func count(_ reason: String) { refused[reason, default: 0] += 1 }

    private func metadata(_ c: PeerConnectionHandler) -> Logger.Metadata {
        var m: Logger.Metadata = ["ha.remote": "\(c.remoteIP)"]
        if c.session.isEstablished, let name = c.session.peerName { m["ha.peer"] = "\(name)" }
        return m
    }

    /// Handshakes that take too long; authenticated connections without a heartbeat for
    /// `heartbeat_ms × max_missed_heartbeats` (the peer redials, or we do).
    private func closeStale(now: NIODeadline) {
        for c in Array(connections.values) where !c.finished {
            if !c.session.isEstablished {
                if now - c.opened >= configuration.handshakeTimeout {
                    refuse(c, reason: "handshake_timeout", detail: "no authentication within the handshake timeout",
                           beforeAuthentication: false)
                }
            } else if now - c.lastReceived >= configuration.downAfter {
                logger.info("HA: no heartbeat on a peer connection, closing it", metadata: metadata(c))
                c.close()
            }
        }
    }

    /// The authenticated connection that carries bindings and requests to peer `i` (the
    /// outgoing one when both are open).
    func link(for i: Int) -> PeerConnectionHandler? {
        let open = connections.values.filter { $0.peerIndex == i && $0.isEstablished }
        return open.first { $0.role == .dialer } ?? open.first
    }

    // MARK: messages

    func received(_ message: PeerMessage, on c: PeerConnectionHandler) {
        guard let i = c.peerIndex else { return }
        switch message {
        case .heartbeat(let h):
            guard h.name == peers[i].name else {
                return refuse(c, reason: "malformed", detail: "heartbeat names \(h.name), the connection is \(peers[i].name)'s",
                              beforeAuthentication: false)
            }
            peers[i].lastHeartbeat = .now()
            peers[i].heartbeat = h
            peers[i].failedAuthentication = false
            evaluate(now: .now())
        case .bindings(let records):
            peers[i].received += UInt64(records.count)
            if !records.isEmpty { master.sendPeerBindings(records) }
        case .tableRequest:
            serveTable(to: c)
        case .tableChunk(let records):
            guard var p = pull, p.connection == c.id else {
                return refuse(c, reason: "unexpected", detail: "a table chunk nobody asked for", beforeAuthentication: false)
            }
            guard p.records.count + records.count <= configuration.maxTableRecords else {
                return refuse(c, reason: "oversize", detail: "a binding table of more than \(configuration.maxTableRecords) records",
                              beforeAuthentication: false)
            }
            pull = nil  // no copy while appending
            p.records += records
            pull = p
        case .tableEnd(let count):
            guard let p = pull, p.connection == c.id else {
                return refuse(c, reason: "unexpected", detail: "a table end nobody asked for", beforeAuthentication: false)
            }
            guard Int(count) == p.records.count else {
                return refuse(c, reason: "malformed", detail: "the table announced \(count) bindings, its chunks held \(p.records.count)",
                              beforeAuthentication: false)
            }
            pull = nil
            peers[i].received += UInt64(p.records.count)
            if !p.records.isEmpty { master.sendPeerBindings(p.records) }
            logger.info("HA: pulled \(p.records.count) bindings from peer \(peers[i].name)", metadata: metadata(c))
            if !synced {
                synced = true
                evaluate(now: .now())
            }
        case .hello, .challenge, .auth, .authOK:
            break  // the session handles these
        }
    }

    private func startPullIfNeeded() {
        guard !synced, pull == nil,
              let c = connections.values.sorted(by: { $0.id < $1.id }).first(where: { $0.isEstablished && $0.peerIndex != nil })
        else { return }
        pull = Pull(connection: c.id)
        c.send(.tableRequest)
        logger.info("HA: asking peer \(c.session.peerName ?? "?") for its binding table", metadata: metadata(c))
    }

    /// Asks the master for its table and sends it to `c` as chunks and an end.
    private func serveTable(to c: PeerConnectionHandler) {
        let id = c.id
        let master = self.master
        let manager = self.manager
        Task {
            let table = await master.bindingTable()
            manager?.eventLoop.execute {
                manager?.hub.value.answerTable(id, table)
            }
        }
    }

    private func answerTable(_ id: UInt64, _ table: [BindingRecord]?) {
        guard let c = connections[id], c.isEstablished else { return }
        guard let table else {
            logger.warning("HA: the master did not answer the binding table request; the peer's pull goes unanswered",
                           metadata: metadata(c))
            return
        }
        var rest = table[...]
        while !rest.isEmpty {
            let n = Self.batchCount(rest)
            c.send(.tableChunk(Array(rest.prefix(n))), flush: false)
            rest = rest.dropFirst(n)
        }
        c.send(.tableEnd(count: UInt32(clamping: table.count)))
        logger.info("HA: sent \(table.count) bindings to peer \(c.session.peerName ?? "?")", metadata: metadata(c))
    }

    /// How many of `records`' first records fit one frame.
    static func batchCount<C: Collection<BindingRecord>>(_ records: C) -> Int {
        let budget = PeerSession.maximumFrameBytes - 64
        var bytes = 2
        var n = 0
        for r in records {
            guard n < PeerMessage.maximumBindingsPerFrame, n == 0 || bytes + r.encodedSize <= budget else { break }
            bytes += r.encodedSize
            n += 1
        }
        return n
    }

    // MARK: bindings

    /// Queues `records` for every peer, dropping the oldest beyond the limit.
    func enqueue(_ records: [BindingRecord]) {
        guard !stopped else { return }
        for i in peers.indices {
            peers[i].queue.append(contentsOf: records)
            let over = peers[i].queue.count - configuration.queueLimit
            if over > 0 {
                peers[i].queue.removeFirst(over)
                peers[i].dropped += UInt64(over)
            }
        }
    }

    /// Sends peer `i`'s queue as `bindings` frames while its connection takes them.
    private func flush(_ i: Int) {
        guard !peers[i].queue.isEmpty, let c = link(for: i) else { return }
        var wrote = false
        while !peers[i].queue.isEmpty && c.isWritable {
            let n = Self.batchCount(peers[i].queue)
            // One copy and one shift per frame (removing the records one by one shifted the
            // whole queue for each: quadratic in the queue's length).
            let batch = Array(peers[i].queue.prefix(n))
            peers[i].queue.removeFirst(n)
            c.send(.bindings(batch), flush: false)
            peers[i].sent += UInt64(n)
            wrote = true
        }
        if wrote { c.flush() }
    }

    // MARK: states

    func state(_ i: Int, now: NIODeadline) -> PeerState {
        if let last = peers[i].lastHeartbeat, now - last < configuration.downAfter { return .up }
        return peers[i].failedAuthentication ? .unauthenticated : .down
    }

    /// Whether peer `i` counts as alive for the shares.
    func isLive(_ i: Int, now: NIODeadline) -> Bool {
        if peers[i].lastHeartbeat == nil { return now - started < configuration.downAfter }
        return state(i, now: now) == .up && peers[i].heartbeat?.state == .serving
    }

    /// Emits the state changes and tells the master when the live set or the sync changed.
    func evaluate(now: NIODeadline) {
        guard !stopped else { return }
        var live: [String] = []
        for i in peers.indices {
            let s = state(i, now: now)
            if s != peers[i].reported {
                announce(i, from: peers[i].reported, to: s)
                peers[i].reported = s
            }
            if isLive(i, now: now) { live.append(peers[i].name) }
        }
        let states = PeerStates(livePeers: live, tableSynced: synced)
        guard states != lastStates else { return }
        lastStates = states
        master.sendPeerStates(states)
    }

    private func announce(_ i: Int, from old: PeerState, to new: PeerState) {
        let p = peers[i]
        let meta: Logger.Metadata = ["ha.peer": "\(p.name)", "ha.address": "\(p.address)"]
        if new == .up {
            logger.info("HA: peer \(p.name) is up", metadata: meta)
        } else {
            logger.warning("HA: peer \(p.name) is \(new.rawValue) (was \(old.rawValue))", metadata: meta)
        }
        guard let events else { return }
        var w = JSONWriter()
        w.beginObject()
        w.field("event_type", "ha_peer")
        w.field("timestamp_ms", Int64(Clocks.unixSeconds() * 1000))
        w.field("this_server", settings.thisServer)
        w.field("peer", p.name)
        w.field("address", p.address.description)
        w.field("state", new.rawValue)
        w.field("previous_state", old.rawValue)
        w.endObject()
        events(w.text)
    }

    /// Compares each up peer's snapshot digest with ours; warns after the grace period, then
    /// every `mismatchRepeat`.
    private func checkDigests(now: NIODeadline) {
        let ours = master.liveSnapshot()
        for i in peers.indices {
            guard state(i, now: now) == .up, let theirs = peers[i].heartbeat, let ours, theirs.snapshotDigest != ours.digest
            else {
                peers[i].mismatchSince = nil
                peers[i].nextMismatchWarning = nil
                continue
            }
            let since = peers[i].mismatchSince ?? now
            peers[i].mismatchSince = since
            guard now - since >= configuration.mismatchGrace, now >= peers[i].nextMismatchWarning ?? since else { continue }
            peers[i].nextMismatchWarning = now + configuration.mismatchRepeat
            logger.warning("""
                HA: peer \(peers[i].name) serves other reservations: its snapshot is generation \
                \(theirs.snapshotGeneration) digest \(OperationsJSON.hex(theirs.snapshotDigest)), ours generation \
                \(ours.generation) digest \(OperationsJSON.hex(ours.digest)), for \((now - since).nanoseconds / 1_000_000_000) s
                """, metadata: ["ha.peer": "\(peers[i].name)"])
        }
    }

    // MARK: report

    func report() -> PeersReport {
        let now = NIODeadline.now()
        evaluate(now: now)  // what it shows is what the master was told
        let ours = master.liveSnapshot()
        let live = Set(lastStates?.livePeers ?? [])
        let shares = ServiceShares(settings: settings, up: live)
        let answering = !synced && settings.mode != .activeActive ? [] : shares.answeringNames(settings)
        let list = peers.indices.map { i -> PeersReport.Peer in
            let p = peers[i]
            return PeersReport.Peer(
                name: p.name, address: p.address.description, state: state(i, now: now),
                lastHeartbeatMillisecondsAgo: p.lastHeartbeat.map { Int((now - $0).nanoseconds / 1_000_000) },
                snapshotGeneration: p.heartbeat?.snapshotGeneration,
                snapshotDigestMatch: p.heartbeat.map { $0.snapshotDigest == ours?.digest },
                snapshotMismatch: p.mismatchSince.map { now - $0 >= configuration.mismatchGrace } ?? false,
                serving: p.heartbeat?.state == .serving,
                bindingsSent: p.sent, bindingsReceived: p.received, queueDropped: p.dropped, queued: p.queue.count)
        }
        return PeersReport(thisServer: settings.thisServer, mode: settings.mode, serverNames: settings.serverNames,
                           answering: answering, tableSynced: synced, peers: list,
                           connectionsRefused: refused.sorted { $0.key < $1.key }.map { NamedCount($0.key, $0.value) })
    }
}

extension ShadowCore.SocketAddress {
    /// The IP address alone, as NIO prints a remote address's.
    var ipDescription: String {
        switch self {
        case .v4(let ip, _): ip.description
        case .v6(let ip, _): ip.description
        }
    }
}
