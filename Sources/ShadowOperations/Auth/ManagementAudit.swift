import Logging
import ShadowCore
import ShadowSystem
import Synchronization

/// One handled management request, as audited: who, over what, which command, the outcome and,
/// for changes, the snapshot before and after.
public struct ManagementAuditRecord: Sendable, Equatable {
    /// How a request ended (the `result` of the log line, the event and the metric).
    public enum Result: String, Sendable {
        /// Answered `success:true`.
        case ok
        /// Authorised, answered `success:false` (invalid request, failed reload ...).
        case error
        /// Refused: bad or missing credentials.
        case unauthenticated
        /// Refused: the identity's role is not enough.
        case denied
    }

    /// The snapshot of a change, before or after it.
    public struct Snapshot: Sendable, Equatable {
        public var generation: UInt64
        public var digest: UInt64?

        public init(generation: UInt64, digest: UInt64?) {
            self.generation = generation
            self.digest = digest
        }

        init(_ s: StatusReport) { self.init(generation: s.snapshotGeneration, digest: s.snapshotDigest) }

        var digestText: String { digest.map { TokenDigest.hex(withUnsafeBytes(of: $0.bigEndian) { Array($0) }) } ?? "-" }
    }

    public var peer: ManagementPeer
    public var identity: ManagementIdentity?
    /// The `command` of the request; nil when it had none (or was not JSON).
    public var command: String?
    public var result: Result
    /// The response's `error`, when it failed.
    public var error: String?
    public var before: Snapshot?
    public var after: Snapshot?
}

/// Per-request audit: one log line, one `management` analytics event, one count in
/// `shadowdhcp_mgmt_requests_total{command,role,result}`.
public final class ManagementAudit: Sendable {
    /// Labels of `shadowdhcp_mgmt_requests_total`.
    public struct Key: Sendable, Hashable, Comparable {
        public var command: String
        public var role: String
        public var result: String

        public static func < (a: Self, b: Self) -> Bool {
            (a.command, a.role, a.result) < (b.command, b.role, b.result)
        }
    }

    let logger: Logger
    let events: (@Sendable (String) -> Void)?
    let clock: @Sendable () -> Double
    private let counts = Mutex<[Key: UInt64]>([:])

    /// - Parameter events: where the `management` events go (the event writer's `submit`), if anywhere.
    public init(logger: Logger, events: (@Sendable (String) -> Void)? = nil,
                clock: @escaping @Sendable () -> Double = { Clocks.unixSeconds() }) {
        self.logger = logger
        self.events = events
        self.clock = clock
    }

    /// Logs, counts and emits `record`.
    public func record(_ record: ManagementAuditRecord) {
        let key = Key(command: CommandPermissions.label(for: record.command),
                      role: record.identity?.role.rawValue ?? "none", result: record.result.rawValue)
        counts.withLock { $0[key, default: 0] += 1 }
        var metadata: Logger.Metadata = [
            "mgmt.identity": "\(record.identity?.description ?? "unknown")",
            "mgmt.role": "\(record.identity?.role.rawValue ?? "none")",
            "mgmt.transport": "\(record.peer.transport.rawValue)",
            "mgmt.peer": "\(record.peer.address)",
            "mgmt.command": "\(record.command ?? "-")",
            "mgmt.result": "\(record.result.rawValue)",
        ]
        if let e = record.error { metadata["mgmt.error"] = "\(e.prefix(200))" }
        if let b = record.before {
            metadata["snapshot.generation.before"] = "\(b.generation)"
            metadata["snapshot.digest.before"] = "\(b.digestText)"
        }
        if let a = record.after {
            metadata["snapshot.generation.after"] = "\(a.generation)"
            metadata["snapshot.digest.after"] = "\(a.digestText)"
        }
        let level: Logger.Level = record.result == .ok || record.result == .error ? .info : .warning
        logger.log(level: level, "management request", metadata: metadata)
        events?(eventLine(record))
    }

    /// Counts so far, sorted by labels.
    public var requestCounts: [(key: Key, value: UInt64)] {
        counts.withLock { $0.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) } }
    }

    /// The `management` analytics event: one JSON line (docs/events.md).
    func eventLine(_ r: ManagementAuditRecord) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.field("event_type", "management")
        w.field("timestamp_ms", Int64(clock() * 1000))
        w.field("identity", r.identity?.description)
        w.field("token_name", r.identity?.tokenName)
        w.field("uid", r.peer.credentials?.uid)
        w.field("pid", r.peer.credentials?.pid)
        w.field("role", r.identity?.role.rawValue)
        w.field("transport", r.peer.transport.rawValue)
        w.field("peer", r.peer.address)
        w.field("command", r.command)
        w.field("result", r.result.rawValue)
        w.field("error", r.error.map { String($0.prefix(200)) })
        w.field("generation_before", r.before?.generation)
        w.field("digest_before", r.before?.digestText)
        w.field("generation_after", r.after?.generation)
        w.field("digest_after", r.after?.digestText)
        w.endObject()
        return w.text
    }
}
