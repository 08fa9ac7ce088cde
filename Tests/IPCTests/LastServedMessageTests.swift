import IPC
import ShadowCore
import Testing

/// The last-served messages (docs/ipc.md, "Last served"): layouts, the permission table, the
/// descriptor rule, strict decoding and the bounds; the memfd's contents; the newest-of merge.
@Suite("IPC: last served")
struct LastServedMessageTests {
    static let response = LastServedResponse(
        requestID: 7, snapshotGeneration: 3, reservationCount: 1_000_000, answeredV4: 2, answeredV6: 1,
        missing: [.init(kind: .v6, index: 1)])

    static func roundTrip(_ m: IPCMessage, _ to: Direction, fd: Bool) throws -> IPCMessage {
        try IPCCodec.decode(try IPCCodec.encode(m, generation: 9, direction: to), direction: to, hasDescriptor: fd).message
    }

    @Test func everyMessageRoundTrips() throws {
        #expect(try Self.roundTrip(.lastServedRequest(5), .opsToMaster, fd: false) == .lastServedRequest(5))
        #expect(try Self.roundTrip(.lastServedQuery(6), .masterToV4, fd: false) == .lastServedQuery(6))
        #expect(try Self.roundTrip(.lastServedQuery(6), .masterToV6, fd: false) == .lastServedQuery(6))
        let report = IPCMessage.lastServedReport(LastServedReport(queryID: 6, snapshotGeneration: 3, reservationCount: 10))
        #expect(try Self.roundTrip(report, .v4ToMaster, fd: true) == report)
        #expect(try Self.roundTrip(report, .v6ToMaster, fd: true) == report)
        #expect(try Self.roundTrip(.lastServedResponse(Self.response), .masterToOps, fd: true)
                    == .lastServedResponse(Self.response))
        #expect(IPCMessage.lastServedResponse(Self.response).requestID == 7)
        #expect(IPCMessage.lastServedRequest(5).requestID == 5)
    }

    @Test func layoutsAreExact() throws {
        let bytes = try IPCCodec.encode(.lastServedResponse(Self.response), generation: 9, direction: .masterToOps)
        // header 16, id 8, generation 8, count 4, answered 1 + 1, missing 1 + 2
        #expect(bytes.count == 16 + 25)
        #expect(Array(bytes[16 + 20..<16 + 25]) == [2, 1, 1, 2, 1])
        let report = try IPCCodec.encode(.lastServedReport(LastServedReport(queryID: 1, snapshotGeneration: 2,
                                                                           reservationCount: 3)),
                                         generation: 9, direction: .v4ToMaster)
        #expect(report.count == 16 + 20)
    }

    @Test func onlyTheirDirectionsMayCarryThem() {
        #expect(throws: IPCError.self) { try IPCCodec.encode(.lastServedQuery(1), generation: 1, direction: .masterToOps) }
        #expect(throws: IPCError.self) { try IPCCodec.encode(.lastServedRequest(1), generation: 1, direction: .v4ToMaster) }
        let report = IPCMessage.lastServedReport(LastServedReport(queryID: 1, snapshotGeneration: 1, reservationCount: 1))
        #expect(throws: IPCError.self) { try IPCCodec.encode(report, generation: 1, direction: .opsToMaster) }
        #expect(throws: IPCError.self) {
            try IPCCodec.encode(.lastServedResponse(Self.response), generation: 1, direction: .masterToV4)
        }
    }

    @Test func reportsAndResponsesNeedTheirDescriptorAndNothingElseDoes() throws {
        let report = try IPCCodec.encode(.lastServedReport(LastServedReport(queryID: 1, snapshotGeneration: 1,
                                                                           reservationCount: 1)),
                                         generation: 1, direction: .v6ToMaster)
        #expect(throws: IPCError.self) { try IPCCodec.decode(report, direction: .v6ToMaster, hasDescriptor: false) }
        let query = try IPCCodec.encode(.lastServedQuery(1), generation: 1, direction: .masterToV6)
        #expect(throws: IPCError.self) { try IPCCodec.decode(query, direction: .masterToV6, hasDescriptor: true) }
    }

    /// Patches the response's payload byte `offset` (after the header) and decodes it.
    static func decodeResponse(patching offset: Int, _ value: UInt8, extra: [UInt8] = []) throws {
        var bytes = try IPCCodec.encode(.lastServedResponse(response), generation: 1, direction: .masterToOps)
        bytes[16 + offset] = value
        bytes += extra
        let length = UInt32(bytes.count - 16)
        for i in 0..<4 { bytes[4 + i] = UInt8(truncatingIfNeeded: length >> (8 * i)) }
        _ = try IPCCodec.decode(bytes, direction: .masterToOps, hasDescriptor: true)
    }

    @Test func malformedResponsesAreRefused() throws {
        try Self.decodeResponse(patching: 23, 2)  // the unpatched value decodes
        #expect(throws: IPCError.self) { try Self.decodeResponse(patching: 20, 65) }  // answered v4 > 64
        #expect(throws: IPCError.self) { try Self.decodeResponse(patching: 21, 65) }  // answered v6 > 64
        #expect(throws: IPCError.self) { try Self.decodeResponse(patching: 23, 3) }  // kind 3 (ops)
        #expect(throws: IPCError.self) { try Self.decodeResponse(patching: 24, 64) }  // worker index ≥ 64
        #expect(throws: IPCError.self) { try Self.decodeResponse(patching: 22, 2) }  // count past the end
        #expect(throws: IPCError.self) { try Self.decodeResponse(patching: 22, 1, extra: [0]) }  // a byte left over
        #expect(throws: IPCError.self) { try Self.decodeResponse(patching: 22, 2, extra: [2, 1]) }  // repeated worker
    }

    @Test func theSenderRefusesWhatTheReceiverWould() {
        var r = Self.response
        r.missing = [.init(kind: .ops, index: 0)]
        #expect(throws: IPCError.self) { try IPCCodec.encode(.lastServedResponse(r), generation: 1, direction: .masterToOps) }
        r.missing = [.init(kind: .v4, index: 64)]
        #expect(throws: IPCError.self) { try IPCCodec.encode(.lastServedResponse(r), generation: 1, direction: .masterToOps) }
        r.missing = []
        r.answeredV4 = 65
        #expect(throws: IPCError.self) { try IPCCodec.encode(.lastServedResponse(r), generation: 1, direction: .masterToOps) }
    }

    // MARK: the memfd's contents

    @Test func imagesHoldTheGenerationThenEachProtocolsTimes() throws {
        let v4: [UInt32] = [1, 0, 0xFFFF_FFFF], v6: [UInt32] = [0, 5, 6]
        var bytes = [UInt8](repeating: 0, count: LastServedImage.byteCount(reservations: 3, protocols: 2))
        #expect(bytes.count == 8 + 24)
        v4.withUnsafeBufferPointer { a in
            v6.withUnsafeBufferPointer { b in
                bytes.withUnsafeMutableBytes { LastServedImage.write(generation: 42, [a, b], into: $0) }
            }
        }
        #expect(Array(bytes[0..<12]) == [42, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0])
        func times(_ generation: UInt64, _ reservations: Int, _ part: Int) throws -> [UInt32] {
            try bytes.withUnsafeBytes { raw throws(LastServedImage.Mismatch) in
                try LastServedImage.times(raw, generation: generation, reservations: reservations, protocols: 2, part: part)
            }
        }
        #expect(try times(42, 3, 0) == v4)
        #expect(try times(42, 3, 1) == v6)
        #expect(throws: LastServedImage.Mismatch.generation(expected: 41, actual: 42)) { try times(41, 3, 0) }
        #expect(throws: LastServedImage.Mismatch.size(expected: 8 + 32, actual: 32)) { try times(42, 4, 0) }
    }

    @Test func mergingKeepsTheNewestTimePerReservation() {
        var newest: [UInt32] = [0, 10, 30, 0]
        LastServedImage.mergeNewest([5, 20, 25, 0], into: &newest)
        #expect(newest == [5, 20, 30, 0])
    }
}
