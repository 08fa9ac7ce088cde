import ShadowCore

// The typed requests of the operations process (`shadow-ops`) and the master's answers
// (docs/ipc.md, "Operations process"). Every request carries a request id the answer repeats, so
// several management clients can wait at once.

/// `replace`: the validated reservations are in the sealed memfd attached to the message, in the
/// snapshot's binary form (``SnapshotCodec``); this says what it must contain.
public struct ReplaceRequest: Hashable, Sendable {
    public var requestID: UInt64
    /// Exact size of the image (the memfd's size).
    public var byteCount: UInt64
    /// ``SnapshotDigest`` of the image.
    public var digest: UInt64
    public var reservationCount: UInt32
    /// The generation the set was derived from: the master refuses the replace with
    /// ``MutationResult/Outcome/stale(generation:)`` when another one is live. 0 = unconditional
    /// (plain `replace`).
    public var baseGeneration: UInt64

    public init(requestID: UInt64, byteCount: UInt64, digest: UInt64, reservationCount: UInt32,
                baseGeneration: UInt64 = 0) {
        self.requestID = requestID
        self.byteCount = byteCount
        self.digest = digest
        self.reservationCount = reservationCount
        self.baseGeneration = baseGeneration
    }
}

/// A commit of per-reservation changes: the changes (``ResolvedChange``, in the order they were
/// applied) are in the sealed memfd attached to the message, encoded by ``ChangeSetCodec``; this
/// says what it must contain. Always conditional: the master applies them only to generation
/// `baseGeneration`, and answers ``MutationResult/Outcome/stale(generation:)`` when another is live.
public struct ChangesRequest: Hashable, Sendable {
    public var requestID: UInt64
    /// The generation the changes were made on (never 0).
    public var baseGeneration: UInt64
    /// Exact size of the encoded changes (the memfd's size).
    public var byteCount: UInt64
    /// ``SnapshotDigest`` of the encoded changes.
    public var digest: UInt64
    /// How many changes (at least 1).
    public var changeCount: UInt32

    public init(requestID: UInt64, baseGeneration: UInt64, byteCount: UInt64, digest: UInt64, changeCount: UInt32) {
        self.requestID = requestID
        self.baseGeneration = baseGeneration
        self.byteCount = byteCount
        self.digest = digest
        self.changeCount = changeCount
    }
}

/// `bindings`: the table's size, and the entry for `mac` when one is given.
public struct BindingsRequest: Hashable, Sendable {
    public var requestID: UInt64
    public var mac: MACAddress?

    public init(requestID: UInt64, mac: MACAddress?) {
        self.requestID = requestID
        self.mac = mac
    }
}

/// The answer to a status request.
public struct StatusResponse: Hashable, Sendable {
    public var requestID: UInt64
    public var keyCount: UInt64
    public var reservationCount: UInt64
    public var snapshotGeneration: UInt64
    /// The live snapshot image's digest (docs/ipc.md, "Snapshot format"); 0 before the first.
    public var snapshotDigest: UInt64
    /// When the live snapshot was loaded, in milliseconds since the Unix epoch.
    public var snapshotLoadedAtMilliseconds: UInt64
    /// Reloads of `reservations.json` that failed (the old snapshot stayed live) since the master started.
    public var reloadFailures: UInt64
    /// Why the binding table cannot be persisted, if it cannot.
    public var stateError: String?

    public init(requestID: UInt64, keyCount: UInt64, reservationCount: UInt64, snapshotGeneration: UInt64,
                snapshotDigest: UInt64 = 0, snapshotLoadedAtMilliseconds: UInt64, reloadFailures: UInt64 = 0,
                stateError: String?) {
        self.snapshotDigest = snapshotDigest
        self.reloadFailures = reloadFailures
        self.requestID = requestID
        self.keyCount = keyCount
        self.reservationCount = reservationCount
        self.snapshotGeneration = snapshotGeneration
        self.snapshotLoadedAtMilliseconds = snapshotLoadedAtMilliseconds
        self.stateError = stateError
    }
}

/// The answer to a reload or replace request.
public struct MutationResult: Hashable, Sendable {
    public enum Outcome: Hashable, Sendable {
        /// The new reservations are live: how many.
        case done(count: UInt32)
        /// Nothing changed: the response's `error` and, for validation failures, every line.
        case failed(error: String, lines: [String])
        /// Nothing changed: the request's `baseGeneration` is not the live generation, which is
        /// `generation` (its snapshot was sent to ops before this answer).
        case stale(generation: UInt64)
    }

    public var requestID: UInt64
    public var outcome: Outcome

    public init(requestID: UInt64, outcome: Outcome) {
        self.requestID = requestID
        self.outcome = outcome
    }
}

/// One supervised child as the master sees it (a DHCP worker or the operations process).
public struct ProcessReport: Hashable, Sendable {
    public var kind: WorkerKind
    /// The account it runs as (docs/privileges.md, "One account per process"); empty when unknown.
    public var account: String
    /// Process id while it runs.
    public var pid: UInt32?
    public var generation: UInt64
    /// What `/proc/PID/status` said, when the master has read it.
    public var status: AuditedStatus?
    public var restarts: UInt64
    public var ready: Bool
    /// Times this slot's process was ended by its seccomp filter (SIGSYS) since the master started.
    public var seccompKills: UInt64
    /// Learned bindings the master refused from this slot's processes since it started.
    public var bindingsRefused: UInt64
    /// Its resource limits from `/proc/PID/limits`, when the master has read them.
    public var limits: Limits?

    /// Soft limits, `UInt64.max` for unlimited.
    public struct Limits: Hashable, Sendable {
        public var openFiles: UInt64
        public var fileSize: UInt64
        public var coreSize: UInt64
        public var processes: UInt64

        public init(openFiles: UInt64, fileSize: UInt64, coreSize: UInt64, processes: UInt64) {
            self.openFiles = openFiles
            self.fileSize = fileSize
            self.coreSize = coreSize
            self.processes = processes
        }
    }

    /// The audited fields of `/proc/PID/status`.
    public struct AuditedStatus: Hashable, Sendable {
        public var uid: UInt32
        /// Real gid.
        public var gid: UInt32
        public var capInheritable: UInt64
        public var capPermitted: UInt64
        public var capEffective: UInt64
        public var capBounding: UInt64
        public var capAmbient: UInt64
        public var noNewPrivileges: Bool
        /// 0 none, 1 strict, 2 filter.
        public var seccompMode: UInt8

        public init(uid: UInt32, gid: UInt32 = 0, capInheritable: UInt64, capPermitted: UInt64, capEffective: UInt64,
                    capBounding: UInt64, capAmbient: UInt64, noNewPrivileges: Bool, seccompMode: UInt8) {
            self.uid = uid
            self.gid = gid
            self.capInheritable = capInheritable
            self.capPermitted = capPermitted
            self.capEffective = capEffective
            self.capBounding = capBounding
            self.capAmbient = capAmbient
            self.noNewPrivileges = noNewPrivileges
            self.seccompMode = seccompMode
        }
    }

    public init(kind: WorkerKind, account: String = "", pid: UInt32?, generation: UInt64, status: AuditedStatus?,
                restarts: UInt64, ready: Bool, seccompKills: UInt64 = 0, bindingsRefused: UInt64 = 0,
                limits: Limits? = nil) {
        self.account = account
        self.bindingsRefused = bindingsRefused
        self.kind = kind
        self.pid = pid
        self.generation = generation
        self.status = status
        self.restarts = restarts
        self.ready = ready
        self.seccompKills = seccompKills
        self.limits = limits
    }
}

/// The answer to a workers request: every supervised child, v4 workers first, then v6, then ops.
public struct WorkersResponse: Hashable, Sendable {
    public var requestID: UInt64
    public var processes: [ProcessReport]

    public init(requestID: UInt64, processes: [ProcessReport]) {
        self.requestID = requestID
        self.processes = processes
    }
}

/// One protocol's worker counters since the master started.
public struct ProtocolCounters: Hashable, Sendable {
    public var received: UInt64
    public var eventsDropped: UInt64
    /// Configured options left out of replies for size (worker counter
    /// ``WorkerCounterName/optionsOmittedForSize``).
    public var optionsOmitted: UInt64 = 0
    /// Replies by message type, sorted by name (names as counter names: printable ASCII).
    public var replies: [Counter]
    /// Drops by reason, sorted by name.
    public var drops: [Counter]
    /// Leasequery counters without their `leasequery.` prefix (`udp.Address.Active`,
    /// `connections.Accepted`, docs/leasequery.md), sorted by name.
    public var leasequery: [Counter]

    public init(received: UInt64 = 0, eventsDropped: UInt64 = 0, replies: [Counter] = [], drops: [Counter] = [],
                leasequery: [Counter] = []) {
        self.received = received
        self.eventsDropped = eventsDropped
        self.replies = replies
        self.drops = drops
        self.leasequery = leasequery
    }
}

/// Worker counter names the master reads by name (the others are `reply.` and `drop.` prefixed).
public enum WorkerCounterName {
    /// Configured DHCPv4 options left out of replies because they did not fit the client's
    /// maximum message size (docs/dhcpv4.md, "Size").
    public static let optionsOmittedForSize = "options.omitted_for_size"
}

/// The answer to a stats request (the event writer's counters live in the operations process).
public struct StatsResponse: Hashable, Sendable {
    public var requestID: UInt64
    public var v4: ProtocolCounters
    public var v6: ProtocolCounters

    public init(requestID: UInt64, v4: ProtocolCounters, v6: ProtocolCounters) {
        self.requestID = requestID
        self.v4 = v4
        self.v6 = v6
    }
}

/// The answer to a bindings request.
public struct BindingsResponse: Hashable, Sendable {
    public var requestID: UInt64
    public var count: UInt64
    /// The binding of the asked MAC: its Option 82 and when it was learned (Unix seconds).
    public var entry: (option82: Option82, lastSeen: UInt64)? {
        get { entryValue.map { ($0.option82, $0.lastSeen) } }
        set { entryValue = newValue.map { Entry(option82: $0.option82, lastSeen: $0.lastSeen) } }
    }
    var entryValue: Entry?

    struct Entry: Hashable, Sendable {
        var option82: Option82
        var lastSeen: UInt64
    }

    public init(requestID: UInt64, count: UInt64, entry: (option82: Option82, lastSeen: UInt64)?) {
        self.requestID = requestID
        self.count = count
        self.entryValue = entry.map { Entry(option82: $0.option82, lastSeen: $0.lastSeen) }
    }
}

/// The answer to a version request.
public struct VersionResponse: Hashable, Sendable {
    public var requestID: UInt64
    public var version: String
    public var commit: String

    public init(requestID: UInt64, version: String, commit: String) {
        self.requestID = requestID
        self.version = version
        self.commit = commit
    }
}

extension IPCMessage {
    /// The request id of an operations request or response; nil for every other message.
    public var requestID: UInt64? {
        switch self {
        case .statusRequest(let id), .reloadRequest(let id), .workersRequest(let id), .statsRequest(let id),
             .versionRequest(let id):
            id
        case .replaceRequest(let r): r.requestID
        case .changesRequest(let r): r.requestID
        case .bindingsRequest(let r): r.requestID
        case .statusResponse(let r): r.requestID
        case .mutationResult(let r): r.requestID
        case .workersResponse(let r): r.requestID
        case .statsResponse(let r): r.requestID
        case .bindingsResponse(let r): r.requestID
        case .versionResponse(let r): r.requestID
        case .lastServedRequest(let id): id
        case .lastServedResponse(let r): r.requestID
        default: nil
        }
    }
}

/// Master → ops, after `configure`: who may use management (docs/management.md). The master read
/// `mgmt_auth.tokens_file` (checking its mode) and resolved `unix_group` from the user database;
/// ops, which can read neither, parses the token file's bytes with the same loader.
public struct OpsAccess: Hashable, Sendable {
    /// `tokens_file`'s path (for messages) and bytes, when configured.
    public var tokensFile: String?
    public var tokensJSON: [UInt8]?
    /// `unix_group` resolved: name, gid, member uids.
    public var group: ResolvedGroup?

    /// `mgmt_tls`'s files, read by the master: ops terminates TLS but may open no file.
    public var tls: OpsTLSMaterial?

    public init(tokensFile: String? = nil, tokensJSON: [UInt8]? = nil, group: ResolvedGroup? = nil,
                tls: OpsTLSMaterial? = nil) {
        self.tokensFile = tokensFile
        self.tokensJSON = tokensJSON
        self.group = group
        self.tls = tls
    }
}

/// The PEM bytes of `mgmt_tls`'s `cert_file`, `key_file` and `client_ca_file` (checked by the
/// master: they parse and the key is the certificate's).
public struct OpsTLSMaterial: Hashable, Sendable {
    public var certificatePEM: [UInt8]
    public var keyPEM: [UInt8]
    public var clientCAPEM: [UInt8]?

    public init(certificatePEM: [UInt8], keyPEM: [UInt8], clientCAPEM: [UInt8]? = nil) {
        self.certificatePEM = certificatePEM
        self.keyPEM = keyPEM
        self.clientCAPEM = clientCAPEM
    }
}
