import IPC
import ShadowCore
import ShadowOperations
import ShadowSystem

/// The master as the management server and the metrics endpoint see it. Every method runs its
/// read or change of the master's state as a job on the master's poll thread (``Mailbox``);
/// slow work that needs no state — writing `reservations.json` — stays off that thread.
struct MasterBackend: ManagementBackend {
    let mailbox: MasterMailbox
    let reservationsPath: String
    /// Per-entry changes (group commit); its gate also serialises `reload` and `replace`.
    let changes: ReservationChanges
    static let version = VersionReport(version: HelpTexts.version, commit: "unknown")

    init(mailbox: MasterMailbox, reservationsPath: String) {
        self.mailbox = mailbox
        self.reservationsPath = reservationsPath
        changes = ReservationChanges(mailbox: mailbox, reservationsPath: reservationsPath)
    }

    func context() async -> ManagementContext {
        let (snapshot, config) = await mailbox.perform { m in (m.snapshot, m.settings.config) }
        return ManagementContext(snapshot: snapshot, config: config)
    }

    func reload() async -> Result<Int, ManagementFailure> {
        await changes.writes.run { await reloadNow() }
    }

    private func reloadNow() async -> Result<Int, ManagementFailure> {
        await mailbox.perform { m in
            switch m.reloadReservations() {
            case .reloaded(let count, _):
                return .success(count)
            case .failed(let lines):
                return .failure(MasterBackend.failure(lines))
            }
        }
    }

    func replace(_ reservations: [Reservation], persisted: [UInt8]) async -> Result<Int, ManagementFailure> {
        await changes.writes.run { await replaceNow(reservations, persisted: persisted) }
    }

    func applyChanges(_ batch: [ReservationChange]) async -> Result<ChangeResult, ManagementFailure> {
        await changes.submit(batch)
    }

    private func replaceNow(_ reservations: [Reservation], persisted: [UInt8]) async -> Result<Int, ManagementFailure> {
        do {
            try AtomicFile.write(persisted, to: reservationsPath, permissions: 0o644, keepingOwnership: true)
        } catch {
            return .failure(ManagementFailure(error: "Failed to write reservations: \(error)"))
        }
        return await mailbox.perform { m in
            do {
                try m.install(reservations)
            } catch {
                return .failure(ManagementFailure(error: "Failed to publish reservations: \(error)"))
            }
            m.logger.info("replaced reservations via management and persisted to disk",
                          metadata: ["count": "\(reservations.count)", "snapshot.generation": "\(m.snapshotGeneration)"])
            return .success(reservations.count)
        }
    }

    func status() async -> StatusReport {
        await mailbox.perform { m in
            StatusReport(keyCount: m.snapshot.keyCount, reservationCount: m.snapshot.count,
                         snapshotGeneration: m.snapshotGeneration,
                         snapshotLoadedAt: Double(m.snapshotLoadedAt) / 1000,
                         snapshotDigest: m.publisher.announcement?.digest ?? 0, stateError: m.stateProblem)
        }
    }

    func workers() async -> [WorkerReport] {
        await mailbox.perform { m in m.workers.map(MasterBackend.report) }
    }

    func stats() async -> StatsReport {
        await mailbox.perform { m in
            StatsReport(v4: MasterBackend.stats(m.workers.filter { $0.kind == .v4 }),
                        v6: MasterBackend.stats(m.workers.filter { $0.kind == .v6 }),
                        events: m.eventWriter?.counters)
        }
    }

    func bindingCount() async -> Int { await mailbox.perform { m in m.bindings.count } }

    func binding(for mac: MACAddress) async -> BindingTable.Entry? {
        await mailbox.perform { m in m.bindings.entry(for: mac) }
    }

    func version() async -> VersionReport { MasterBackend.version }

    // MARK: helpers

    /// A reload's problems as upstream shapes them: a file that cannot be opened, or a parse.
    static func failure(_ lines: [String]) -> ManagementFailure {
        let first = lines.first ?? "unknown error"
        if first.hasPrefix("Cannot read `") {
            return ManagementFailure(error: "Failed to open " + first.dropFirst("Cannot read ".count)
                .replacing("`", with: ""), errors: lines)
        }
        let more = lines.count > 1 ? " (and \(lines.count - 1) more)" : ""
        return ManagementFailure(error: "Failed to parse reservations: \(first)\(more)", errors: lines)
    }

    static func report(_ w: WorkerSlot) -> WorkerReport {
        let status = w.pid.flatMap { try? ProcessStatus.read(pid: $0) } ?? w.status
        return WorkerReport(
            proto: w.kind.rawValue, pid: w.pid, generation: w.generation, uid: status?.uids.first,
            capabilities: status.map {
                CapabilitySets(inheritable: $0.capInheritable, permitted: $0.capPermitted, effective: $0.capEffective,
                               bounding: $0.capBounding, ambient: $0.capAmbient)
            },
            noNewPrivs: status?.noNewPrivileges, seccompMode: status?.seccompMode,
            restarts: UInt64(w.restarts), ready: w.ready)
    }

    static func stats(_ slots: [WorkerSlot]) -> ProtocolStats {
        var total: [String: UInt64] = [:]
        for w in slots { total.merge(w.totalCounters, uniquingKeysWith: +) }
        func named(_ prefix: String) -> [NamedCount] {
            total.filter { $0.key.hasPrefix(prefix) }
                .map { NamedCount(String($0.key.dropFirst(prefix.count)), $0.value) }
                .sorted { $0.name < $1.name }
        }
        return ProtocolStats(received: total["received"] ?? 0, replies: named("reply."), drops: named("drop."),
                             eventsDropped: total["events.dropped"] ?? 0)
    }
}
