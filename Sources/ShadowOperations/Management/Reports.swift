import ShadowCore

/// Facts for `status`.
public struct StatusReport: Sendable, Equatable {
    /// Index entries (keys) of the live snapshot: what upstream reports as `reservation_count`.
    public var keyCount: Int
    /// Reservations in the live snapshot.
    public var reservationCount: Int
    /// ``ShadowCore/ReservationSnapshot/generation`` of the live snapshot.
    public var snapshotGeneration: UInt64
    /// When the live snapshot was loaded, in seconds since the Unix epoch.
    public var snapshotLoadedAt: Double
    /// A persistence problem (state directory not writable...), reported in `status` as `state_error`.
    public var stateError: String?
    /// The digest of the published snapshot image (what the workers verify), when known.
    public var snapshotDigest: UInt64?
    /// Reloads of `reservations.json` that failed (the old snapshot stayed live) since the master started.
    public var reloadFailures: UInt64

    public init(keyCount: Int, reservationCount: Int, snapshotGeneration: UInt64, snapshotLoadedAt: Double,
                stateError: String? = nil, snapshotDigest: UInt64? = nil, reloadFailures: UInt64 = 0) {
        self.reloadFailures = reloadFailures
        self.keyCount = keyCount
        self.reservationCount = reservationCount
        self.snapshotGeneration = snapshotGeneration
        self.snapshotLoadedAt = snapshotLoadedAt
        self.snapshotDigest = snapshotDigest
        self.stateError = stateError
    }
}

/// What a successful batch of reservation changes did, and the snapshot that now serves it.
public struct ChangeResult: Sendable, Equatable {
    public var counts: ChangeCounts
    /// Reservations in the new set.
    public var reservationCount: Int
    /// The generation and digest of the snapshot that contains the change (or a later one).
    public var snapshotGeneration: UInt64
    public var snapshotDigest: UInt64

    public init(counts: ChangeCounts, reservationCount: Int, snapshotGeneration: UInt64, snapshotDigest: UInt64) {
        self.counts = counts
        self.reservationCount = reservationCount
        self.snapshotGeneration = snapshotGeneration
        self.snapshotDigest = snapshotDigest
    }
}

/// Capability sets of a process, as the masks of `/proc/PID/status` (`CapInh` ...).
public struct CapabilitySets: Sendable, Equatable {
    public var inheritable: UInt64
    public var permitted: UInt64
    public var effective: UInt64
    public var bounding: UInt64
    public var ambient: UInt64

    public init(inheritable: UInt64, permitted: UInt64, effective: UInt64, bounding: UInt64, ambient: UInt64) {
        self.inheritable = inheritable
        self.permitted = permitted
        self.effective = effective
        self.bounding = bounding
        self.ambient = ambient
    }

    /// True when every set is empty.
    public var isEmpty: Bool { inheritable | permitted | effective | bounding | ambient == 0 }
}

/// One worker as the master sees it.
public struct WorkerReport: Sendable, Equatable {
    /// `v4` or `v6`.
    public var proto: String
    /// Process id of the running worker; nil while none runs.
    public var pid: Int32?
    /// Start number of this worker (increases with every restart).
    public var generation: UInt64
    /// The account it runs as (`config.json` `user`, or that account's `-v4`/`-v6`/`-ops` one).
    public var account: String
    /// Real uid read back from `/proc/PID/status`.
    public var uid: UInt32?
    /// Real gid read back from `/proc/PID/status`.
    public var gid: UInt32?
    public var capabilities: CapabilitySets?
    public var noNewPrivs: Bool?
    /// `Seccomp:` of `/proc/PID/status` (0 none, 1 strict, 2 filter).
    public var seccompMode: Int?
    /// Restarts since the master started.
    public var restarts: UInt64
    /// True once the worker reported ready and passed the audit.
    public var ready: Bool
    /// Ends by its seccomp filter (SIGSYS) since the master started.
    public var seccompKills: UInt64
    /// Learned bindings the master refused from it since the master started (docs/privileges.md).
    public var bindingsRefused: UInt64
    /// RLIMIT_NOFILE, RLIMIT_FSIZE, RLIMIT_CORE, RLIMIT_NPROC (soft; nil = unlimited), when read.
    public var limits: Limits?

    public struct Limits: Sendable, Equatable {
        public var openFiles: UInt64?
        public var fileSize: UInt64?
        public var coreSize: UInt64?
        public var processes: UInt64?

        public init(openFiles: UInt64?, fileSize: UInt64?, coreSize: UInt64?, processes: UInt64?) {
            self.openFiles = openFiles
            self.fileSize = fileSize
            self.coreSize = coreSize
            self.processes = processes
        }
    }

    public init(proto: String, account: String = "", pid: Int32?, generation: UInt64, uid: UInt32?, gid: UInt32? = nil,
                capabilities: CapabilitySets?,
                noNewPrivs: Bool?, seccompMode: Int?, restarts: UInt64, ready: Bool, seccompKills: UInt64 = 0,
                bindingsRefused: UInt64 = 0, limits: Limits? = nil) {
        self.seccompKills = seccompKills
        self.bindingsRefused = bindingsRefused
        self.limits = limits
        self.proto = proto
        self.account = account
        self.pid = pid
        self.generation = generation
        self.uid = uid
        self.gid = gid
        self.capabilities = capabilities
        self.noNewPrivs = noNewPrivs
        self.seccompMode = seccompMode
        self.restarts = restarts
        self.ready = ready
    }
}

/// A named counter, e.g. a reply type (`Offer`) or a drop reason (`NoReservation`).
public struct NamedCount: Sendable, Equatable {
    public var name: String
    public var value: UInt64

    public init(_ name: String, _ value: UInt64) {
        self.name = name
        self.value = value
    }
}

/// Counters of one protocol's worker(s) since the master started.
public struct ProtocolStats: Sendable, Equatable {
    /// Datagrams received.
    public var received: UInt64
    /// Replies sent, by message type (`Offer`, `Ack`, `Nak`, `Advertise`, `Reply` ...).
    public var replies: [NamedCount]
    /// Datagrams not answered, by reason (docs/dhcpv4.md, docs/dhcpv6.md, and malformed-input reasons).
    public var drops: [NamedCount]
    /// Events the worker could not hand to the master.
    public var eventsDropped: UInt64
    /// Leasequery counters (`udp.Address.Active`, `tcp.RemoteID.Active`, `connections.Accepted`;
    /// docs/leasequery.md).
    public var leasequery: [NamedCount]
    /// Configured options left out of replies for size (docs/dhcpv4.md, "Size").
    public var optionsOmitted: UInt64

    public init(received: UInt64 = 0, replies: [NamedCount] = [], drops: [NamedCount] = [], eventsDropped: UInt64 = 0,
                leasequery: [NamedCount] = [], optionsOmitted: UInt64 = 0) {
        self.received = received
        self.replies = replies
        self.drops = drops
        self.eventsDropped = eventsDropped
        self.leasequery = leasequery
        self.optionsOmitted = optionsOmitted
    }
}

/// Everything `stats` reports.
public struct StatsReport: Sendable, Equatable {
    public var v4: ProtocolStats
    public var v6: ProtocolStats
    /// The event writer's counters, when events are enabled.
    public var events: EventWriter.Counters?
    /// The ClickHouse writer's counters, when `events.clickhouse` is configured.
    public var clickhouse: EventWriter.Counters?

    public init(v4: ProtocolStats, v6: ProtocolStats, events: EventWriter.Counters? = nil,
                clickhouse: EventWriter.Counters? = nil) {
        self.v4 = v4
        self.v6 = v6
        self.events = events
        self.clickhouse = clickhouse
    }
}

/// Program version for `version`.
public struct VersionReport: Sendable, Equatable {
    /// e.g. `0.3.0`.
    public var version: String
    /// First 7 characters of the build's git commit, or `unknown`.
    public var commit: String

    public init(version: String, commit: String) {
        self.version = version
        self.commit = commit
    }
}
