/// Payload layouts of the last-served messages (docs/ipc.md, "Last served").
enum LastServedCodec {
    static func encode(_ message: IPCMessage, into w: inout ByteWriter) {
        switch message {
        case .lastServedRequest(let id), .lastServedQuery(let id):
            w.u64(id)
        case .lastServedReport(let m):
            w.u64(m.queryID); w.u64(m.snapshotGeneration); w.u32(m.reservationCount)
        case .lastServedResponse(let m):
            w.u64(m.requestID); w.u64(m.snapshotGeneration); w.u32(m.reservationCount)
            w.u8(UInt8(truncatingIfNeeded: m.answeredV4)); w.u8(UInt8(truncatingIfNeeded: m.answeredV6))
            w.u8(UInt8(truncatingIfNeeded: m.missing.count))
            for x in m.missing { w.u8(x.kind == .v4 ? 1 : 2); w.u8(UInt8(truncatingIfNeeded: x.index)) }
        default:
            preconditionFailure("not a last-served message: \(message.type)")
        }
    }

    static func decode(_ type: MessageType, _ r: inout ByteReader) throws(ByteReader.Failure) -> IPCMessage {
        switch type {
        case .lastServedRequest: return .lastServedRequest(try r.u64())
        case .lastServedQuery: return .lastServedQuery(try r.u64())
        case .lastServedReport:
            return .lastServedReport(LastServedReport(queryID: try r.u64(), snapshotGeneration: try r.u64(),
                                                      reservationCount: try r.u32()))
        default:
            let id = try r.u64(), generation = try r.u64(), count = try r.u32()
            let limit = LastServedLimits.maximumWorkersPerProtocol
            var at = r.offset
            let v4 = Int(try r.u8())
            guard v4 <= limit else { throw r.invalid("answered v4", at: at) }
            at = r.offset
            let v6 = Int(try r.u8())
            guard v6 <= limit else { throw r.invalid("answered v6", at: at) }
            at = r.offset
            let n = Int(try r.u8())
            guard v4 + v6 + n <= 2 * limit else { throw r.invalid("missing count", at: at) }
            var missing: [LastServedResponse.Missing] = []
            for _ in 0..<n {
                at = r.offset
                let kind: WorkerKind
                switch try r.u8() {
                case 1: kind = .v4
                case 2: kind = .v6
                default: throw r.invalid("missing kind", at: at)
                }
                at = r.offset
                let index = Int(try r.u8())
                guard index < limit else { throw r.invalid("missing index", at: at) }
                let worker = LastServedResponse.Missing(kind: kind, index: index)
                guard !missing.contains(worker) else { throw r.invalid("missing worker repeated", at: at) }
                missing.append(worker)
            }
            return .lastServedResponse(LastServedResponse(requestID: id, snapshotGeneration: generation,
                                                          reservationCount: count, answeredV4: v4, answeredV6: v6,
                                                          missing: missing))
        }
    }

    /// What ``decode(_:_:)`` refuses, checked before sending.
    static func check(_ message: IPCMessage) throws(IPCError) {
        guard case .lastServedResponse(let m) = message else { return }
        let limit = LastServedLimits.maximumWorkersPerProtocol
        let type = message.type
        guard (0...limit).contains(m.answeredV4), (0...limit).contains(m.answeredV6),
              m.answeredV4 + m.answeredV6 + m.missing.count <= 2 * limit else {
            throw .invalidField(type, field: "worker counts", offset: 20)
        }
        guard m.missing.allSatisfy({ $0.kind != .ops && (0..<limit).contains($0.index) }),
              Set(m.missing).count == m.missing.count else {
            throw .invalidField(type, field: "missing worker", offset: 23)
        }
    }
}
