import Glibc
import IPC
import Logging
import ShadowCore
import ShadowSystem
import SystemPackage

/// The operations process's requests, answered on the poll thread from the master's own state.
///
/// Ops is distrusted like a worker: its channel accepts only the typed requests of the permission
/// table (anything else closes the channel and kills it), and a `replace` arrives as a snapshot
/// image in a sealed memfd that the master checks exactly as a worker does, decodes and
/// re-validates — the master never parses a management line or any JSON from the network.
extension Master {
    func answer(_ message: IPCMessage, from ops: WorkerSlot, descriptor: FileDescriptor?) {
        let reply: IPCMessage
        switch message {
        case .statusRequest(let id):
            reply = .statusResponse(StatusResponse(
                requestID: id, keyCount: UInt64(snapshot.keyCount), reservationCount: UInt64(snapshot.count),
                snapshotGeneration: snapshotGeneration, snapshotDigest: publisher.announcement?.digest ?? 0,
                snapshotLoadedAtMilliseconds: snapshotLoadedAt, reloadFailures: reloadFailures,
                stateError: stateProblem))
        case .reloadRequest(let id):
            switch reloadReservations() {
            case .reloaded(let count, _):
                reply = .mutationResult(MutationResult(requestID: id, outcome: .done(count: UInt32(clamping: count))))
            case .failed(let lines):
                let (error, all) = Master.reloadFailure(lines)
                reply = .mutationResult(.failure(requestID: id, error: error, lines: all))
            }
        case .replaceRequest(let r):
            guard let result = replace(r, descriptor: descriptor, from: ops) else { return }
            reply = .mutationResult(result)
        case .changesRequest(let r):
            finishPendingReplace()
            guard let result = commitChanges(r, descriptor: descriptor, from: ops) else { return }
            reply = .mutationResult(result)
        case .workersRequest(let id):
            reply = .workersResponse(WorkersResponse(requestID: id, processes: workers.map { Master.report($0, account: settings.accounts.account(for: $0.kind).name) }))
        case .statsRequest(let id):
            reply = .statsResponse(StatsResponse(requestID: id, v4: counters(.v4), v6: counters(.v6)))
        case .bindingsRequest(let r):
            let entry = r.mac.flatMap { bindings.entry(for: $0) }
            reply = .bindingsResponse(BindingsResponse(requestID: r.requestID, count: UInt64(bindings.count),
                                                       entry: entry.map { ($0.option82, $0.lastSeen) }))
        case .lastServedRequest(let id):
            requestLastServed(id)
            return  // answered when the workers have (``answerLastServed(_:)``)
        case .versionRequest(let id):
            reply = .versionResponse(VersionResponse(requestID: id, version: BuildInfo.version, commit: BuildInfo.commit ?? "unknown"))
        default:
            return  // the permission table lets nothing else through
        }
        send(reply, to: ops)
    }

    /// Applies a commit of per-reservation changes (``ReservationChanges``) and makes it live as
    /// the next generation. Returns nil when ops sent something a correct ops never sends: it is
    /// then killed (and restarted), and nothing changed.
    private func commitChanges(_ r: ChangesRequest, descriptor: FileDescriptor?, from ops: WorkerSlot) -> MutationResult? {
        switch changes.commit(r, descriptor: descriptor, live: snapshot, generation: snapshotGeneration) {
        case .stale:
            return MutationResult(requestID: r.requestID, outcome: .stale(generation: snapshotGeneration))
        case .refused(let why):
            logger.error("ops process sent unusable reservation changes: \(why)")
            abandon(ops, reason: "unusable reservation changes")
            return nil
        case .failed(let error):
            logger.error("\(error)")
            return .failure(requestID: r.requestID, error: error, lines: [])
        case .committed(let prepared, let count, let copy, let phases, let notDurable):
            if let notDurable {
                logger.warning("\(reservationsPath) written, not yet durable: fsync of its directory failed: \(notDurable)")
            }
            let started = Clocks.monotonicMilliseconds()
            adopt(prepared)
            var metadata: Logger.Metadata = ["count": "\(count)", "changes": "\(r.changeCount)",
                                              "snapshot.generation": "\(snapshotGeneration)", "copy": "\(copy.rawValue)",
                                              "publish_ms": "\(Clocks.monotonicMilliseconds() - started)"]
            for (name, ms) in phases { metadata[name] = "\(ms)" }
            logger.info("reservation changes committed and persisted to disk", metadata: metadata)
            return MutationResult(requestID: r.requestID, outcome: .done(count: UInt32(clamping: count)))
        }
    }

    /// Hands a worker's event lines to the operations process as they came (one message per
    /// batch), never blocking: when ops is not ready, or its channel is full, they are dropped and
    /// counted as the worker's `events_dropped`.
    func forwardEvents(_ lines: [UInt8], from w: WorkerSlot) {
        guard let ops, ops.ready, let channel = ops.channel, ops.outbox.isEmpty else {
            return dropEvents(lines, from: w)
        }
        do {
            let bytes = try IPCCodec.encode(.event(lines), generation: ops.generation, direction: .masterToOps)
            try channel.send(bytes, nonBlocking: true)
        } catch {
            dropEvents(lines, from: w)
        }
    }

    private func dropEvents(_ lines: [UInt8], from w: WorkerSlot) {
        guard ops != nil else { return }  // events are not configured
        w.eventsNotForwarded &+= UInt64(lines.lazy.filter { $0 == 0x0A }.count)
    }

    // MARK: helpers

    /// A reload's problems as upstream shapes them: a file that cannot be opened, or a parse.
    static func reloadFailure(_ lines: [String]) -> (error: String, lines: [String]) {
        let first = lines.first ?? "unknown error"
        if first.hasPrefix("Cannot read `") {
            return ("Failed to open " + first.dropFirst("Cannot read ".count).replacing("`", with: ""), lines)
        }
        let more = lines.count > 1 ? " (and \(lines.count - 1) more)" : ""
        return ("Failed to parse reservations: \(first)\(more)", lines)
    }

    static func report(_ w: WorkerSlot, account: String) -> ProcessReport {
        let status = w.pid.flatMap { try? ProcessStatus.read(pid: $0) } ?? w.status
        return ProcessReport(
            kind: w.kind, account: account, pid: w.pid.map { UInt32(bitPattern: $0) }, generation: w.generation,
            status: status.map {
                ProcessReport.AuditedStatus(
                    uid: $0.uids.first ?? 0, gid: $0.gids.first ?? 0, capInheritable: $0.capInheritable, capPermitted: $0.capPermitted,
                    capEffective: $0.capEffective, capBounding: $0.capBounding, capAmbient: $0.capAmbient,
                    noNewPrivileges: $0.noNewPrivileges, seccompMode: UInt8(clamping: $0.seccompMode))
            },
            restarts: UInt64(w.restarts), ready: w.ready, seccompKills: w.seccompKills,
            bindingsRefused: w.bindingsRefused, limits: w.pid.flatMap { try? ProcessLimits.read(pid: $0) }.map {
                ProcessReport.Limits(openFiles: $0.openFiles, fileSize: $0.fileSize, coreSize: $0.coreSize,
                                     processes: $0.processes)
            })
    }

    /// One protocol's counters since the master started, all its workers together.
    func counters(_ kind: WorkerKind) -> ProtocolCounters {
        var total: [String: UInt64] = [:]
        var notForwarded: UInt64 = 0
        for w in workers where w.kind == kind {
            total.merge(w.totalCounters, uniquingKeysWith: +)
            notForwarded &+= w.eventsNotForwarded
        }
        func named(_ prefix: String) -> [Counter] {
            total.filter { $0.key.hasPrefix(prefix) && $0.key.count > prefix.count }
                .map { Counter(name: String($0.key.dropFirst(prefix.count)), value: $0.value) }
                .sorted { $0.name < $1.name }
        }
        var counters = ProtocolCounters(received: total["received"] ?? 0,
                                        eventsDropped: (total["events.dropped"] ?? 0) &+ notForwarded,
                                        replies: named("reply."), drops: named("drop."), leasequery: named("leasequery."))
        counters.optionsOmitted = total[WorkerCounterName.optionsOmittedForSize] ?? 0
        return counters
    }
}
