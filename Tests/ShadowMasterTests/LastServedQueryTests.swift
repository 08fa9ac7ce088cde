import IPC
import Testing
@testable import ShadowMaster

/// The master's round of last-served reports (docs/operations.md, "Last served and online"):
/// several workers of one protocol merged newest-of, answers for another snapshot or from a
/// worker not asked left out, silent workers listed as missing.
@Suite("master: last-served merge")
struct LastServedQueryTests {
    static func query(_ asked: [(WorkerKind, Int)], notAsked: [LastServedResponse.Missing] = []) -> LastServedQuery {
        LastServedQuery(id: 1, snapshotGeneration: 5, reservationCount: 3, deadline: 0,
                        asked: asked.map { .init(kind: $0.0, index: $0.1, workerGeneration: 1) }, notAsked: notAsked)
    }

    @Test func theNewestTimeOfSeveralWorkersWins() {
        let q = Self.query([(.v4, 0), (.v4, 1), (.v6, 0)])
        #expect(q.accept(kind: .v4, index: 0, workerGeneration: 1, snapshotGeneration: 5, times: [100, 0, 300]))
        #expect(!q.isComplete)
        #expect(q.accept(kind: .v4, index: 1, workerGeneration: 1, snapshotGeneration: 5, times: [50, 200, 400]))
        #expect(q.accept(kind: .v6, index: 0, workerGeneration: 1, snapshotGeneration: 5, times: [7, 8, 0]))
        #expect(q.isComplete)
        #expect(q.v4 == [100, 200, 400])
        #expect(q.v6 == [7, 8, 0])
        let r = q.response(to: 9)
        #expect(r.requestID == 9 && r.snapshotGeneration == 5 && r.reservationCount == 3)
        #expect(r.answeredV4 == 2 && r.answeredV6 == 1 && r.missing.isEmpty)
    }

    @Test func timesForAnotherSnapshotAreLeftOut() {
        let q = Self.query([(.v4, 0), (.v4, 1)])
        #expect(q.accept(kind: .v4, index: 0, workerGeneration: 1, snapshotGeneration: 4, times: [100, 100, 100]))
        #expect(q.accept(kind: .v4, index: 1, workerGeneration: 1, snapshotGeneration: 5, times: [1, 2, 3]))
        #expect(q.v4 == [1, 2, 3])
        #expect(q.response(to: 1).missing == [.init(kind: .v4, index: 0)])
        #expect(q.response(to: 1).answeredV4 == 1)
    }

    @Test func answersFromWorkersNotAskedChangeNothing() {
        let q = Self.query([(.v4, 0)])
        // A restarted worker (another start generation), a worker not asked, a second answer.
        #expect(!q.accept(kind: .v4, index: 0, workerGeneration: 2, snapshotGeneration: 5, times: [9, 9, 9]))
        #expect(!q.accept(kind: .v6, index: 0, workerGeneration: 1, snapshotGeneration: 5, times: [9, 9, 9]))
        #expect(q.accept(kind: .v4, index: 0, workerGeneration: 1, snapshotGeneration: 5, times: [1, 0, 0]))
        #expect(!q.accept(kind: .v4, index: 0, workerGeneration: 1, snapshotGeneration: 5, times: [9, 9, 9]))
        #expect(q.v4 == [1, 0, 0] && q.v6 == [0, 0, 0])
    }

    @Test func silentAndUnreadyWorkersAreMissing() {
        let q = Self.query([(.v4, 0), (.v6, 0)], notAsked: [.init(kind: .v6, index: 1)])
        #expect(q.accept(kind: .v4, index: 0, workerGeneration: 1, snapshotGeneration: 5, times: [1, 2, 3]))
        let r = q.response(to: 1)
        #expect(r.missing == [.init(kind: .v6, index: 1), .init(kind: .v6, index: 0)])
        #expect(r.answeredV4 == 1 && r.answeredV6 == 0)
    }
}
