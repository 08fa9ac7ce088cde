import ShadowCore

/// What the management server needs from the master. The master implements it.
///
/// Every method is called from a Swift concurrency task on the global executor — never on the
/// master's poll thread and never on a NIO event loop — and several may run at the same time for
/// different clients. ``reload()`` and ``replace(_:)`` are never called concurrently
/// with each other (the server serialises them). An implementation typically posts the call to
/// the poll loop and resumes when the loop has answered; nothing here blocks the packet path.
public protocol ManagementBackend: Sendable {
    /// The live snapshot and configuration, used for `lookup` and to validate `replace` against
    /// `subnets_v4`. Cheap: both are immutable values the master already holds.
    func context() async -> ManagementContext

    /// Re-reads `reservations.json` and swaps it in, exactly as SIGHUP does. Returns the number of
    /// reservations loaded, or the failure (the old snapshot stays live).
    func reload() async -> Result<Int, ManagementFailure>

    /// Has the master make `reservations` the live set: it validates them again, writes them as
    /// `reservations.json` (atomically) and only then swaps them in and broadcasts them.
    /// `reservations` is already fully validated here. Returns the reservation count, or the
    /// failure (nothing changed).
    func replace(_ reservations: [Reservation]) async -> Result<Int, ManagementFailure>

    /// Applies one request's reservation changes, all or nothing, checked against the whole set
    /// as it stands (every key and address unique; the per-entry rules, `subnets_v4` included,
    /// were checked when the request was parsed); persists the new set as `reservations.json` and
    /// publishes it as a new snapshot generation before answering. Requests may arrive
    /// concurrently; `OpsBackend` commits them in groups (``GroupCommit``, then a conditional
    /// replace to the master) (one file write and one snapshot for every
    /// request waiting), and a failing request does not affect the others. A refused batch
    /// answers every error (`errors`, each `SOURCE.FIELD: message`).
    func applyChanges(_ batch: [ReservationChange]) async -> Result<ChangeResult, ManagementFailure>

    /// Facts for `status`.
    func status() async -> StatusReport

    /// One entry per worker (v4 first).
    func workers() async -> [WorkerReport]

    /// Counters for `stats` and `/metrics`.
    func stats() async -> StatsReport

    /// Number of MAC→Option 82 bindings held.
    func bindingCount() async -> Int

    /// The binding learned for `mac`, if any.
    func binding(for mac: MACAddress) async -> BindingTable.Entry?

    /// Program version for `version`.
    func version() async -> VersionReport

    /// The HA peer channel's view for `peers` and `/metrics`; nil without `ha`.
    func peers() async -> PeersReport?

    /// Every reservation's last-served times, merged from the DHCP workers (for `online`,
    /// `lookup` and `/metrics`); nil when they cannot be had (the master is gone). Answers within
    /// about 2 s even when a worker does not answer (it is then listed as missing).
    func lastServed() async -> LastServedTimes?
}

extension ManagementBackend {
    /// No peer channel (a server without `ha`).
    public func peers() async -> PeersReport? { nil }

    /// No workers to ask.
    public func lastServed() async -> LastServedTimes? { nil }
}

/// The master's current state as far as `lookup` and `replace` need it.
public struct ManagementContext: Sendable {
    public var snapshot: ReservationSnapshot
    public var config: ServerConfig

    public init(snapshot: ReservationSnapshot, config: ServerConfig) {
        self.snapshot = snapshot
        self.config = config
    }
}

/// A failed `reload` or `replace`: the exact `error` text, and for validation failures each line.
public struct ManagementFailure: Error, Sendable, Equatable {
    /// The response's `error`, e.g. `Failed to write reservations: No space left on device`.
    public var error: String
    /// Each error line (e.g. every validation error of a reload); sent as `errors` when not empty.
    public var errors: [String]

    public init(error: String, errors: [String] = []) {
        self.error = error
        self.errors = errors
    }
}
