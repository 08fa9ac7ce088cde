import IPC
import Logging
import NIOCore
import ShadowCore
import ShadowSystem

/// Turns one request line into one response: parse, authorise, validate, call the backend, audit.
///
/// Transport-free (the ``ManagementServer`` feeds it lines and says who sent them), so it is
/// tested directly too. `reload` and `replace` run one at a time, in arrival order.
///
/// The request's top level is scanned first (command, token, where `reservations` lies); the
/// peer is authorised before anything expensive — a `replace` is validated only once its sender
/// may replace.
public struct ManagementService: Sendable {
    public let backend: any ManagementBackend
    public let authorization: ManagementAuthorization
    public let audit: ManagementAudit
    public let throttle: AuthFailureThrottle
    /// Where the throttle's waits are timed: an event loop's timer, never `Task.sleep` (in
    /// `shadow-ops` a delayed task would start a Dispatch thread; see ``InFlight``). nil: Task.sleep.
    let timers: (any EventLoop)?
    private let mutations = SerialGate()

    public init(backend: any ManagementBackend, authorization: ManagementAuthorization = ManagementAuthorization(),
                audit: ManagementAudit = ManagementAudit(logger: Logger(label: "shadowdhcp.management")),
                throttle: AuthFailureThrottle = AuthFailureThrottle(), timers: (any EventLoop)? = nil) {
        self.backend = backend
        self.authorization = authorization
        self.audit = audit
        self.throttle = throttle
        self.timers = timers
    }

    /// Waits `duration` on ``timers`` (or with Task.sleep when there is none).
    private func wait(_ duration: Duration) async {
        guard let loop = timers else { try? await Task.sleep(for: duration); return }
        let done = loop.makePromise(of: Void.self)
        loop.scheduleTask(in: TimeAmount(duration)) { done.succeed() }
        try? await done.futureResult.get()
    }

    /// How a request ended, for a transport that says it in its own terms (the HTTP status).
    public enum Disposition: Sendable, Hashable {
        /// The command ran (its response may still say `success: false`, e.g. a failed reload).
        case answered
        /// Not a valid request: bad JSON, an unknown command, invalid reservations.
        case invalid
        /// Missing, unknown or malformed credentials.
        case unauthenticated
        /// A known identity that may not run this command.
        case denied
    }

    /// A response and how the request ended.
    public struct Answer: Sendable {
        public var response: ManagementResponse
        public var disposition: Disposition
    }

    /// The response to `line` (one JSON object; a trailing newline is allowed) from `peer`.
    public func handle(_ line: ByteBuffer, peer: ManagementPeer = .localRoot) async -> ManagementResponse {
        await answer(line, peer: peer).response
    }

    /// ``handle(_:peer:)`` for a byte array.
    public func handle(_ line: [UInt8], peer: ManagementPeer = .localRoot) async -> ManagementResponse {
        await handle(ByteBuffer(bytes: line), peer: peer)
    }

    /// The response to `line` from `peer`, and how it ended. `bearerToken` is a token the
    /// transport carried outside the JSON (HTTP `Authorization: Bearer`), already checked to be of
    /// an acceptable length; a different `token` in the JSON makes the request invalid.
    public func answer(_ line: ByteBuffer, peer: ManagementPeer, bearerToken: String? = nil) async -> Answer {
        if let delay = throttle.wait(for: peer.throttleKey) { await wait(delay) }
        var record = ManagementAuditRecord(peer: peer, identity: nil, command: nil, result: .error)
        var disposition = Disposition.answered
        let response = await respond(line, bearerToken: bearerToken, &record, &disposition)
        if !response.success && record.result == .ok { record.result = .error }
        if !response.success { record.error = response.error }
        if record.result == .unauthenticated { throttle.recordFailure(peer.throttleKey) }
        audit.record(record)
        return Answer(response: response, disposition: disposition)
    }

    /// Audits a request a transport refused before it became a request line (e.g. an HTTP
    /// request without a usable `Authorization` header), counting a failed authentication.
    public func auditRefusal(peer: ManagementPeer, message: String, unauthenticated: Bool) {
        if unauthenticated { throttle.recordFailure(peer.throttleKey) }
        audit.record(ManagementAuditRecord(peer: peer, identity: nil, command: nil,
                                           result: unauthenticated ? .unauthenticated : .error, error: message))
    }

    private func respond(_ line: ByteBuffer, bearerToken: String?, _ record: inout ManagementAuditRecord,
                         _ disposition: inout Disposition) async -> ManagementResponse {
        let context = await backend.context()
        let authorization = self.authorization
        let peer = record.peer
        let parse: @Sendable () -> Parsed = {
            line.withUnsafeReadableBytes { bytes in
                Self.parse(bytes, peer: peer, authorization: authorization, subnets: context.config.subnetsV4,
                           msClasslessRoutes: context.config.msClasslessRoutes,
                           bearerToken: bearerToken)
            }
        }
        // A large request (a whole set: `replace`, `diff`) is validated on a thread of its own (about
        // 1.5 s of CPU at 1,000,000 entries), not on the thread that runs the other requests.
        let parsed = line.readableBytes > Self.backgroundParseBytes ? await BackgroundThread.result(of: parse) : parse()
        record.command = parsed.command
        record.identity = parsed.identity
        switch parsed.outcome {
        case .failure(.invalid(let error)):
            record.result = error.badToken ? .unauthenticated : .error
            disposition = error.badToken ? .unauthenticated : .invalid
            return error.response
        case .failure(.refused(let refusal)):
            record.result = refusal.failedAuthentication ? .unauthenticated : .denied
            disposition = refusal.failedAuthentication ? .unauthenticated : .denied
            record.identity = refusal.identity
            return .failure(refusal.message)
        case .success(let request):
            record.result = .ok
            return await execute(request, context: context, record: &record)
        }
    }

    /// What parsing one line gave.
    /// Requests larger than this are parsed on a background thread (1 MiB, as
    /// ``ManagementServer/Limits/largeRequestBytes``'s default).
    static let backgroundParseBytes = 1 << 20

    struct Parsed: Sendable {
        enum Failure: Error, Sendable {
            case invalid(ManagementRequestError)
            case refused(ManagementAuthorization.Refusal)
        }

        var command: String?
        var identity: ManagementIdentity?
        var outcome: Result<ManagementRequest, Failure>
    }

    /// Scans the top level, authorises, then builds the request (validating a `replace`).
    static func parse(_ bytes: UnsafeRawBufferPointer, peer: ManagementPeer, authorization: ManagementAuthorization,
                      subnets: [SubnetV4], msClasslessRoutes: Bool = false, bearerToken: String? = nil) -> Parsed {
        let top: TopLevel
        do {
            top = try TopLevel.scan(bytes)
        } catch let e as ManagementRequestError {
            return Parsed(outcome: .failure(.invalid(e)))
        } catch {
            return Parsed(outcome: .failure(.invalid(ManagementRequestError("\(error)"))))
        }
        guard let command = top.command else {
            return Parsed(outcome: .failure(.invalid(ManagementRequestError("missing field `command`"))))
        }
        var token = top.token
        if let bearerToken {
            if let token, token != bearerToken {
                return Parsed(command: command, outcome: .failure(.invalid(ManagementRequestError(
                    "the request's `token` differs from the token of the Authorization header; send one of them"))))
            }
            token = bearerToken
        }
        let identity: ManagementIdentity
        switch authorization.decide(peer: peer, command: command, token: token) {
        case .failure(let refusal): return Parsed(command: command, outcome: .failure(.refused(refusal)))
        case .success(let i): identity = i
        }
        do {
            return Parsed(command: command, identity: identity, outcome: .success(try top.request(bytes, subnets: subnets, msClasslessRoutes: msClasslessRoutes)))
        } catch let e as ManagementRequestError {
            return Parsed(command: command, identity: identity, outcome: .failure(.invalid(e)))
        } catch {
            return Parsed(command: command, identity: identity,
                          outcome: .failure(.invalid(ManagementRequestError("\(error)"))))
        }
    }

    /// Runs a parsed request (already authorised).
    public func execute(_ request: ManagementRequest, context: ManagementContext) async -> ManagementResponse {
        var record = ManagementAuditRecord(peer: .localRoot, identity: nil, command: nil, result: .ok)
        return await execute(request, context: context, record: &record)
    }

    private func execute(_ request: ManagementRequest, context: ManagementContext,
                         record: inout ManagementAuditRecord) async -> ManagementResponse {
        switch request {
        case .status:
            return Self.statusResponse(await backend.status())
        case .reload:
            let (result, before, after) = await mutations.run { () async -> (Result<Int, ManagementFailure>, StatusReport, StatusReport) in
                let before = await backend.status()
                let result = await backend.reload()
                return (result, before, await backend.status())
            }
            record.before = .init(before)
            record.after = .init(after)
            return Self.mutationResponse(result, verb: "Reloaded", warnings: [])
        case .replace(let r):
            let (result, before, after) = await mutations.run { () async -> (Result<Int, ManagementFailure>, StatusReport, StatusReport) in
                let before = await backend.status()
                let result = await backend.replace(r.reservations)
                return (result, before, await backend.status())
            }
            record.before = .init(before)
            record.after = .init(after)
            return Self.mutationResponse(result, verb: "Replaced with", warnings: r.warnings)
        case .workers:
            return Self.workersResponse(await backend.workers())
        case .stats:
            return Self.statsResponse(await backend.stats())
        case .lookup(let query):
            let binding: BindingTable.Entry? = if case .mac(let m) = query { await backend.binding(for: m) } else { nil }
            let served = await lastServed(context)
            return LookupResolver(context: served?.context ?? context)
                .response(for: query, binding: binding, lastServed: served?.times)
        case .online:
            guard let served = await lastServed(context) else { return Self.lastServedUnavailable }
            return OnlineReport(times: served.times, snapshot: served.context.snapshot, config: served.context.config,
                                now: UInt64(Clocks.unixSeconds())).response
        case .bindings(let mac):
            let count = await backend.bindingCount()
            let entry: BindingTable.Entry? = if let mac { await backend.binding(for: mac) } else { nil }
            return Self.bindingsResponse(count: count, mac: mac, entry: entry)
        case .version:
            return Self.versionResponse(await backend.version())
        case .peers:
            return Self.peersResponse(await backend.peers())
        case .changes(let request):
            record.before = .init(await backend.status())
            let result = await backend.applyChanges(request.changes)
            if case .success(let r) = result {
                record.after = .init(generation: r.snapshotGeneration, digest: r.snapshotDigest)
            }
            return Self.changeResponse(result, warnings: request.warnings)
        case .reservationGet(let key):
            return Self.getResponse(key, snapshot: context.snapshot)
        case .reservationsList(let from, let limit):
            return Self.listResponse(from: from, limit: limit, snapshot: context.snapshot)
        case .diff(let reservations, let warnings):
            // Compared with the snapshot the last-served times belong to (the live one may have
            // changed while the workers were asked); without the times, `served_recently` is null.
            let served = await lastServed(context)
            let against = served?.context ?? context
            let resolver = DiffResolver(snapshot: against.snapshot, config: against.config,
                                        lastServed: served.map { Self.onlineLookup($0.times, leases: against.config.leases) })
            return await resolver.response(new: reservations, warnings: warnings)
        case .explain(let query):
            var bindings: [MACAddress: BindingTable.Entry] = [:]
            for mac in ExplainResolver.macs(for: query) { bindings[mac] = await backend.binding(for: mac) }
            return ExplainResolver(context: context, bindings: bindings, shares: await explainShares(context))
                .response(for: query)
        }
    }

    /// The workers' last-served times and the context whose snapshot they are indexed by. The live
    /// snapshot may change while the workers are asked: then the newer context is taken, and the
    /// workers are asked once more if the times are still for another snapshot. Nil when the
    /// master does not answer or the snapshot keeps changing.
    func lastServed(_ context: ManagementContext) async -> (times: LastServedTimes, context: ManagementContext)? {
        var context = context
        for _ in 0..<2 {
            guard let times = await backend.lastServed() else { return nil }
            if times.snapshotGeneration == context.snapshot.generation { return (times, context) }
            context = await backend.context()
            if times.snapshotGeneration == context.snapshot.generation { return (times, context) }
        }
        return nil
    }

    /// "Online" for one snapshot position, as `online` counts it: its last DHCPv4 ACK within the
    /// lease time, or its last DHCPv6 Reply within the valid lifetime.
    static func onlineLookup(_ times: LastServedTimes, leases: LeaseTimes,
                             now: UInt64 = UInt64(Clocks.unixSeconds())) -> LastServedLookup {
        { i in
            (times.v4.indices.contains(i) && LastServedTimes.isOnline(times.v4[i], now: now, lease: leases.v4Lease))
                || (times.v6.indices.contains(i) && LastServedTimes.isOnline(times.v6[i], now: now, lease: leases.v6Valid))
        }
    }

    static let lastServedUnavailable = ManagementResponse.failure(
        "Last-served times are not available: the master did not answer, or the reservations changed while the "
            + "workers were asked; try again")

    /// What the workers are told about high availability (``WorkerShares``), from the peer
    /// channel's view (peers `up`, table synced); standalone without `ha`.
    private func explainShares(_ context: ManagementContext) async -> WorkerShares {
        guard let ha = context.config.ha, let report = await backend.peers() else {
            return WorkerShares(shares: .standalone, holdCorrelation: false)
        }
        let live = Set(report.peers.filter { $0.state == .up }.map(\.name))
        return WorkerShares(settings: ha, livePeers: live, tableSynced: report.tableSynced)
    }

    /// Whether a request of which only `prefix` has arrived may go on being received as a large
    /// request (see ``ManagementServer/Limits/largeRequestBytes``): its leading `command` and
    /// `token` must authorise `peer` for a change. Returns the refusal's text (audited here), or nil.
    func refusalOfLargeRequest(prefix: ByteBuffer, peer: ManagementPeer) -> String? {
        refusalOfLargeRequest(prefix: prefix, peer: peer, bearerToken: nil)?.message
    }

    /// ``refusalOfLargeRequest(prefix:peer:)`` with the token of an HTTP `Authorization` header,
    /// and how the refusal is classed.
    func refusalOfLargeRequest(prefix: ByteBuffer, peer: ManagementPeer,
                               bearerToken: String?) -> (message: String, disposition: Disposition)? {
        let (command, bodyToken) = prefix.withUnsafeReadableBytes { TopLevel.leadingCredentials($0) }
        let token = bearerToken ?? bodyToken
        var record = ManagementAuditRecord(peer: peer, identity: nil, command: command, result: .error)
        let refusal: String
        var disposition = Disposition.invalid
        if let command {
            if !CommandPermissions.largeCommands.contains(command) {
                refusal = "Invalid request: only changes (such as `replace`) and `diff` may be larger than the "
                    + "large-request threshold, `\(command)` may not"
            } else {
                switch authorization.decide(peer: peer, command: command, token: token) {
                case .success: return nil
                case .failure(let r):
                    refusal = r.message
                    disposition = r.failedAuthentication ? .unauthenticated : .denied
                    record.identity = r.identity
                    record.result = r.failedAuthentication ? .unauthenticated : .denied
                    if r.failedAuthentication { throttle.recordFailure(peer.throttleKey) }
                }
            }
        } else {
            refusal = "Invalid request: a request larger than the large-request threshold must begin with its "
                + "`command` (and `token`), before any other field"
        }
        record.error = refusal
        audit.record(record)
        return (refusal, disposition)
    }

    /// Audits a large request refused because another one is in progress.
    func auditBusy(peer: ManagementPeer, message: String) {
        audit.record(ManagementAuditRecord(peer: peer, identity: nil, command: nil, result: .error, error: message))
    }
}

/// Runs async operations one at a time, in the order they arrive.
public actor SerialGate {
    public init() {}

    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public func run<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        await acquire()
        let result = await body()
        release()
        return result
    }

    private func acquire() async {
        if !busy { busy = true; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }
}
