/// A worker's answer to `last-served-query`: the times themselves are in the attached sealed
/// memfd (``LastServedImage``: the snapshot generation, then `reservationCount` times).
public struct LastServedReport: Hashable, Sendable {
    /// The master's query this answers.
    public var queryID: UInt64
    /// The snapshot the times are indexed by (the one the worker serves).
    public var snapshotGeneration: UInt64
    /// That snapshot's reservation count: one time per reservation.
    public var reservationCount: UInt32

    public init(queryID: UInt64, snapshotGeneration: UInt64, reservationCount: UInt32) {
        self.queryID = queryID
        self.snapshotGeneration = snapshotGeneration
        self.reservationCount = reservationCount
    }

    /// The size of the attached memfd.
    public var byteCount: Int { LastServedImage.byteCount(reservations: Int(reservationCount), protocols: 1) }
}

/// The master's answer to `last-served-request`: per protocol, the newest time of all its workers
/// that answered for the live snapshot, in the attached sealed memfd (``LastServedImage``: the
/// generation, then `reservationCount` DHCPv4 times, then as many DHCPv6 times).
public struct LastServedResponse: Hashable, Sendable {
    /// One worker that did not answer in time, or answered for another snapshot.
    public struct Missing: Hashable, Sendable {
        public var kind: WorkerKind
        /// Which of the protocol's workers (0 ..< 64).
        public var index: Int

        public init(kind: WorkerKind, index: Int) {
            self.kind = kind
            self.index = index
        }
    }

    public var requestID: UInt64
    public var snapshotGeneration: UInt64
    public var reservationCount: UInt32
    /// How many v4 and v6 workers answered (their times are merged in).
    public var answeredV4: Int
    public var answeredV6: Int
    /// The workers whose times are not in the answer.
    public var missing: [Missing]

    public init(requestID: UInt64, snapshotGeneration: UInt64, reservationCount: UInt32, answeredV4: Int,
                answeredV6: Int, missing: [Missing]) {
        self.requestID = requestID
        self.snapshotGeneration = snapshotGeneration
        self.reservationCount = reservationCount
        self.answeredV4 = answeredV4
        self.answeredV6 = answeredV6
        self.missing = missing
    }

    /// The size of the attached memfd.
    public var byteCount: Int { LastServedImage.byteCount(reservations: Int(reservationCount), protocols: 2) }
}

/// Limits of the last-served messages (docs/ipc.md).
public enum LastServedLimits {
    /// Workers per protocol (`workers_v4`, `workers_v6` are 1–64).
    public static let maximumWorkersPerProtocol = 64
    /// How long the master waits for the workers before it answers with what it has.
    public static let answerMilliseconds: UInt64 = 2000
}
