import IPC

/// One round of asking the DHCP workers for their last-served times (docs/operations.md, "Last
/// served and online"): the workers asked, what they answered, merged per protocol (the newest
/// time per reservation), and the requests of ops waiting for it. Bounded: one round at a time
/// (requests that arrive meanwhile join it), answered when every worker asked has answered or at
/// its deadline with what is there.
final class LastServedQuery {
    struct Asked: Equatable {
        var kind: WorkerKind
        var index: Int
        /// The worker's start generation when asked (a restarted worker is not the one asked).
        var workerGeneration: UInt64
    }

    let id: UInt64
    /// The live snapshot when the round started: only times indexed by it are merged.
    let snapshotGeneration: UInt64
    let reservationCount: Int
    /// Monotonic milliseconds after which the round is answered as it stands.
    let deadline: UInt64
    /// Ops's request ids waiting for this round.
    var requests: [UInt64] = []
    /// Workers asked that have not answered yet.
    private(set) var waiting: [Asked]
    /// Workers that could not be asked, or answered for another snapshot.
    private(set) var missing: [LastServedResponse.Missing]
    private(set) var v4: [UInt32]
    private(set) var v6: [UInt32]
    private(set) var answeredV4 = 0
    private(set) var answeredV6 = 0

    init(id: UInt64, snapshotGeneration: UInt64, reservationCount: Int, deadline: UInt64, asked: [Asked],
         notAsked: [LastServedResponse.Missing]) {
        self.id = id
        self.snapshotGeneration = snapshotGeneration
        self.reservationCount = reservationCount
        self.deadline = deadline
        waiting = asked
        missing = notAsked
        v4 = [UInt32](repeating: 0, count: reservationCount)
        v6 = v4
    }

    var isComplete: Bool { waiting.isEmpty }

    /// Takes one worker's answer. Returns false when the worker was not asked in this round (a
    /// late answer to an earlier one): nothing changes then. Times for another snapshot (the
    /// worker had not swapped in the live one yet, or already has a newer one) leave the worker
    /// missing.
    func accept(kind: WorkerKind, index: Int, workerGeneration: UInt64, snapshotGeneration: UInt64,
                times: [UInt32]) -> Bool {
        guard let at = waiting.firstIndex(of: Asked(kind: kind, index: index, workerGeneration: workerGeneration)) else {
            return false
        }
        waiting.remove(at: at)
        guard snapshotGeneration == self.snapshotGeneration, times.count == reservationCount else {
            missing.append(LastServedResponse.Missing(kind: kind, index: index))
            return true
        }
        if kind == .v4 {
            LastServedImage.mergeNewest(times, into: &v4)
            answeredV4 += 1
        } else {
            LastServedImage.mergeNewest(times, into: &v6)
            answeredV6 += 1
        }
        return true
    }

    /// The answer to `requestID`: every worker not merged in is listed as missing.
    func response(to requestID: UInt64) -> LastServedResponse {
        LastServedResponse(requestID: requestID, snapshotGeneration: snapshotGeneration,
                           reservationCount: UInt32(reservationCount), answeredV4: answeredV4, answeredV6: answeredV6,
                           missing: missing + waiting.map { LastServedResponse.Missing(kind: $0.kind, index: $0.index) })
    }
}
