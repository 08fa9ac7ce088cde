import IPC
import protocol NIOCore.EventLoop
import ShadowCore
import ShadowOperations
import ShadowSystem
import SystemPackage

/// ``ManagementBackend`` for the operations process: `lookup` and the request parser read the
/// snapshot and configuration the master pushed; everything else is one typed request to the
/// master and its answer. `replace` sends the validated reservations as a snapshot image in a
/// sealed memfd — never JSON for the master to parse again.
struct OpsBackend: ManagementBackend {
    let link: OpsLink
    /// Per-reservation changes: the working copy and the group commit.
    let changes: OpsChanges

    init(link: OpsLink, eventLoop: any EventLoop) {
        self.link = link
        changes = OpsChanges(link: link, eventLoop: eventLoop)
    }

    /// What a request answers when the master is gone (the process is shutting down then).
    static let masterGone = ManagementFailure(error: "the master is not answering")

    func context() async -> ManagementContext {
        link.context ?? ManagementContext(snapshot: .empty, config: ServerConfig(dnsV4: [], dnsV6: [], subnetsV4: []))
    }

    func reload() async -> Result<Int, ManagementFailure> {
        Self.mutation(await link.request { .reloadRequest($0) })
    }

    func replace(_ reservations: [Reservation]) async -> Result<Int, ManagementFailure> {
        // The master writes reservations.json itself, from what it decoded and re-validated.
        let image: (FileDescriptor, SnapshotAnnouncement)
        do {
            image = try Self.seal(reservations)
        } catch {
            return .failure(ManagementFailure(error: "Failed to encode reservations: \(error)"))
        }
        defer { try? image.0.close() }
        let a = image.1
        return Self.mutation(await link.request({
            .replaceRequest(ReplaceRequest(requestID: $0, byteCount: a.byteCount, digest: a.digest,
                                           reservationCount: a.reservationCount))
        }, passing: image.0))
    }

    func applyChanges(_ batch: [ReservationChange]) async -> Result<ChangeResult, ManagementFailure> {
        await changes.submit(batch)
    }

    func status() async -> StatusReport {
        guard case .statusResponse(let r)? = await link.request({ .statusRequest($0) }) else {
            return StatusReport(keyCount: 0, reservationCount: 0, snapshotGeneration: 0, snapshotLoadedAt: 0,
                                stateError: Self.masterGone.error)
        }
        return StatusReport(keyCount: Int(r.keyCount), reservationCount: Int(r.reservationCount),
                            snapshotGeneration: r.snapshotGeneration,
                            snapshotLoadedAt: Double(r.snapshotLoadedAtMilliseconds) / 1000, stateError: r.stateError,
                            snapshotDigest: r.snapshotDigest, reloadFailures: r.reloadFailures)
    }

    func workers() async -> [WorkerReport] {
        guard case .workersResponse(let r)? = await link.request({ .workersRequest($0) }) else { return [] }
        return r.processes.map(Self.report)
    }

    func stats() async -> StatsReport {
        let sinks = link.events.withLock { $0 }
        let events = sinks.tcp?.counters, clickhouse = sinks.clickhouse?.counters
        guard case .statsResponse(let r)? = await link.request({ .statsRequest($0) }) else {
            return StatsReport(v4: ProtocolStats(), v6: ProtocolStats(), events: events, clickhouse: clickhouse)
        }
        return StatsReport(v4: Self.stats(r.v4), v6: Self.stats(r.v6), events: events, clickhouse: clickhouse)
    }

    func bindingCount() async -> Int {
        guard case .bindingsResponse(let r)? = await link.request({
            .bindingsRequest(BindingsRequest(requestID: $0, mac: nil))
        }) else { return 0 }
        return Int(r.count)
    }

    func binding(for mac: MACAddress) async -> BindingTable.Entry? {
        guard case .bindingsResponse(let r)? = await link.request({
            .bindingsRequest(BindingsRequest(requestID: $0, mac: mac))
        }), let e = r.entry else { return nil }
        return BindingTable.Entry(option82: e.option82, lastSeen: e.lastSeen)
    }

    func version() async -> VersionReport {
        guard case .versionResponse(let r)? = await link.request({ .versionRequest($0) }) else {
            return VersionReport(version: "unknown", commit: "unknown")
        }
        return VersionReport(version: r.version, commit: r.commit)
    }

    func lastServed() async -> LastServedTimes? {
        await link.requestLastServed()
    }

    func peers() async -> PeersReport? {
        guard let manager = link.peers.withLock({ $0 }) else { return nil }
        return await manager.report()
    }

    // MARK: conversions

    /// The reservations as a snapshot image in a sealed memfd, and its announcement.
    static func seal(_ reservations: [Reservation]) throws -> (FileDescriptor, SnapshotAnnouncement) {
        let plan = try SnapshotCodec.plan(reservations)
        var made: SnapshotAnnouncement?
        let fd = try SealedMemoryFile.create(name: "shadowdhcp-replace", byteCount: plan.byteCount) { buffer in
            SnapshotCodec.encode(reservations, plan: plan, into: buffer, work: .threads)
            made = SnapshotCodec.announcement(for: UnsafeRawBufferPointer(buffer), snapshotGeneration: 0,
                                              reservationCount: reservations.count)
        }
        return (fd, made!)
    }

    static func mutation(_ answer: IPCMessage?) -> Result<Int, ManagementFailure> {
        guard case .mutationResult(let r)? = answer else { return .failure(masterGone) }
        switch r.outcome {
        case .done(let count): return .success(Int(count))
        case .failed(let error, let lines): return .failure(ManagementFailure(error: error, errors: lines))
        case .stale: return .failure(ManagementFailure(error: "Failed to replace reservations: stale"))  // only conditional replaces
        }
    }

    static func report(_ p: ProcessReport) -> WorkerReport {
        WorkerReport(
            proto: p.kind.rawValue, account: p.account, pid: p.pid.map { Int32(bitPattern: $0) },
            generation: p.generation, uid: p.status?.uid, gid: p.status?.gid,
            capabilities: p.status.map {
                CapabilitySets(inheritable: $0.capInheritable, permitted: $0.capPermitted, effective: $0.capEffective,
                               bounding: $0.capBounding, ambient: $0.capAmbient)
            },
            noNewPrivs: p.status?.noNewPrivileges, seccompMode: p.status.map { Int($0.seccompMode) },
            restarts: p.restarts, ready: p.ready, seccompKills: p.seccompKills,
            bindingsRefused: p.bindingsRefused, limits: p.limits.map {
                func finite(_ v: UInt64) -> UInt64? { v == UInt64.max ? nil : v }
                return WorkerReport.Limits(openFiles: finite($0.openFiles), fileSize: finite($0.fileSize),
                                           coreSize: finite($0.coreSize), processes: finite($0.processes))
            })
    }

    static func stats(_ c: ProtocolCounters) -> ProtocolStats {
        ProtocolStats(received: c.received, replies: c.replies.map { NamedCount($0.name, $0.value) },
                      drops: c.drops.map { NamedCount($0.name, $0.value) }, eventsDropped: c.eventsDropped,
                      leasequery: c.leasequery.map { NamedCount($0.name, $0.value) },
                      optionsOmitted: c.optionsOmitted)
    }
}
