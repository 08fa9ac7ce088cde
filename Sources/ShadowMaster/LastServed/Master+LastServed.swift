import IPC
import Logging
import ShadowSystem
import SystemPackage

/// `last-served-request` from ops: ask every DHCP worker (`last-served-query`), merge their
/// `last-served-report`s per protocol (the newest time per reservation) and answer with both
/// protocols' times in one sealed memfd, within ``LastServedLimits/answerMilliseconds``.
extension Master {
    func requestLastServed(_ requestID: UInt64) {
        if let q = lastServedQuery, q.snapshotGeneration == snapshotGeneration {
            q.requests.append(requestID)
            return
        }
        if let q = lastServedQuery { answerLastServed(q) }  // a round for an older snapshot: as it stands
        lastServedQueryID += 1
        var asked: [LastServedQuery.Asked] = []
        var notAsked: [LastServedResponse.Missing] = []
        for w in workers where w.kind != .ops {
            if w.ready && w.channel != nil {
                asked.append(LastServedQuery.Asked(kind: w.kind, index: w.index, workerGeneration: w.generation))
            } else {
                notAsked.append(LastServedResponse.Missing(kind: w.kind, index: w.index))
            }
        }
        let q = LastServedQuery(id: lastServedQueryID, snapshotGeneration: snapshotGeneration,
                                reservationCount: snapshot.count,
                                deadline: Clocks.monotonicMilliseconds() + LastServedLimits.answerMilliseconds,
                                asked: asked, notAsked: notAsked)
        q.requests.append(requestID)
        lastServedQuery = q
        for w in workers where w.kind != .ops && w.ready && w.channel != nil { send(.lastServedQuery(q.id), to: w) }
        if q.isComplete { answerLastServed(q) }
    }

    /// A worker's `last-served-report`. Its memfd must be what the message says (sealed, exact
    /// size, the generation inside): anything else is a protocol violation and the worker is
    /// killed. An answer to an earlier round is ignored.
    func lastServedReported(_ r: LastServedReport, descriptor: FileDescriptor?, from w: WorkerSlot) {
        let times: [UInt32]
        do {
            guard let descriptor else { throw MappingError.sizeMismatch(expected: r.byteCount, actual: 0) }
            let mapping = try ReadOnlyMapping(descriptor: descriptor, expectedByteCount: r.byteCount)
            times = try LastServedImage.times(mapping.bytes, generation: r.snapshotGeneration,
                                              reservations: Int(r.reservationCount), protocols: 1, part: 0)
        } catch {
            logger.error("\(w.kind.processName) sent an unusable last-served report: \(error)")
            abandon(w, reason: "unusable last-served report")
            return
        }
        guard let q = lastServedQuery, q.id == r.queryID,
              q.accept(kind: w.kind, index: w.index, workerGeneration: w.generation,
                       snapshotGeneration: r.snapshotGeneration, times: times) else { return }
        if q.isComplete { answerLastServed(q) }
    }

    /// Answers the round when its deadline has passed (called from the poll loop).
    func expireLastServedQuery() {
        guard let q = lastServedQuery, Clocks.monotonicMilliseconds() >= q.deadline else { return }
        answerLastServed(q)
    }

    /// Sends the round's answer to every waiting request and ends it.
    func answerLastServed(_ q: LastServedQuery) {
        lastServedQuery = nil
        guard let ops else { return }
        let size = LastServedImage.byteCount(reservations: q.reservationCount, protocols: 2)
        let fd: FileDescriptor
        do {
            fd = try q.v4.withUnsafeBufferPointer { v4 in
                try q.v6.withUnsafeBufferPointer { v6 in
                    try SealedMemoryFile.create(name: "shadowdhcp-last-served", byteCount: size) { buffer in
                        LastServedImage.write(generation: q.snapshotGeneration, [v4, v6], into: buffer)
                    }
                }
            }
        } catch {
            // Without the file there is no answer: ops's request then fails like any unanswered one
            // would, and the channel stays consistent (every request is answered exactly once).
            logger.error("cannot make the last-served answer: \(error)")
            abandon(ops, reason: "no memory file for a last-served answer")
            return
        }
        defer { try? fd.close() }
        let missing = q.response(to: 0).missing
        if !missing.isEmpty {
            logger.warning("last-served answer without \(missing.count) worker(s)", metadata: [
                "workers": "\(missing.map { "\($0.kind)#\($0.index)" }.joined(separator: ","))"])
        }
        for id in q.requests { send(.lastServedResponse(q.response(to: id)), to: ops, passing: fd) }
    }
}
