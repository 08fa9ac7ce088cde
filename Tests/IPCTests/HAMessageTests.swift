import IPC
import ShadowCore
import Testing

/// The high-availability messages refuse every value a correct sender never sends.
@Suite struct HAMessageTests {
    static func frame(_ type: MessageType, _ payload: [UInt8]) -> [UInt8] {
        StrictDecodingTests.frame(type, payload)
    }

    @Test func sharesOutOfRangeAreRefused() {
        // mode, server count, primary, answering (u16 LE), hold
        let bad: [([UInt8], String)] = [
            ([0, 2, 0, 1, 0, 0], "mode"),
            ([4, 2, 0, 1, 0, 0], "mode"),
            ([2, 0, 0, 0, 0, 0], "server count"),
            ([2, 10, 0, 1, 0, 0], "server count"),
            ([3, 2, 2, 1, 0, 0], "primary"),
            ([2, 2, 1, 1, 0, 0], "primary"),        // a primary outside hot-standby
            ([2, 2, 0, 4, 0, 0], "answering"),      // share 2 of 2 servers
            ([2, 2, 0, 1, 0, 2], "hold"),
        ]
        for (payload, field) in bad {
            do {
                _ = try IPCCodec.decode(Self.frame(.shares, payload), direction: .masterToV4, hasDescriptor: false)
                Issue.record("accepted \(payload)")
            } catch {
                guard case .invalidField(.shares, let f, _) = error else { Issue.record("\(error)"); continue }
                #expect(f == field)
            }
        }
        #expect(throws: IPCError.self) {
            try IPCCodec.encode(.shares(WorkerShares(shares: ServiceShares(mode: .loadBalancing, serverCount: 2,
                                                                           primaryIndex: 0, answering: 0b100),
                                                     holdCorrelation: false)), generation: 1, direction: .masterToV6)
        }
    }

    @Test func peerStatesNamesAreServerNames() throws {
        var w = ByteWriter()
        w.u8(1); w.u8(1); w.string16("bad name")
        #expect(throws: IPCError.self) {
            try IPCCodec.decode(Self.frame(.peerStates, w.bytes), direction: .opsToMaster, hasDescriptor: false)
        }
        var twice = ByteWriter()
        twice.u8(0); twice.u8(2); twice.string16("b"); twice.string16("b")
        #expect(throws: IPCError.self) {
            try IPCCodec.decode(Self.frame(.peerStates, twice.bytes), direction: .opsToMaster, hasDescriptor: false)
        }
        #expect(throws: IPCError.self) {
            try IPCCodec.encode(.peerStates(PeerStates(livePeers: ["a", "a"], tableSynced: true)), generation: 1,
                                direction: .opsToMaster)
        }
    }

    @Test func peerBindingsWithoutOption82AreRefused() throws {
        let empty = BindingRecord(mac: Samples.mac, option82: Option82(), lastSeen: 1)
        #expect(throws: IPCError.self) {
            try IPCCodec.encode(.peerBindings([empty]), generation: 1, direction: .opsToMaster)
        }
        var w = ByteWriter()
        w.u16(1)
        empty.encode(into: &w)
        #expect(throws: IPCError.self) {
            try IPCCodec.decode(Self.frame(.peerBindings, w.bytes), direction: .opsToMaster, hasDescriptor: false)
        }
    }

    @Test func aShortKeyIsRefused() {
        #expect(throws: IPCError.self) {
            try IPCCodec.encode(.peerSetup(PeerSetup(key: Array(repeating: 1, count: 31), tableSynced: true)),
                                generation: 1, direction: .masterToOps)
        }
        var w = ByteWriter()
        w.u16(31); w.raw(Array(repeating: 1, count: 31)); w.u8(0)
        #expect(throws: IPCError.self) {
            try IPCCodec.decode(Self.frame(.peerSetup, w.bytes), direction: .masterToOps, hasDescriptor: false)
        }
    }

    /// Ops may not push bindings to a worker, nor a worker send peer bindings: the permission table.
    @Test func directions() {
        #expect(!Direction.opsToMaster.allows(.localBindings))
        #expect(!Direction.masterToOps.allows(.peerBindings))
        #expect(!Direction.v4ToMaster.allows(.peerBindings))
        #expect(!Direction.masterToOps.allows(.shares))
        #expect(!Direction.opsToMaster.allows(.bindingTableChunk))
    }

    @Test func batchesFitTheChannel() throws {
        let records = (0..<20_000).map {
            BindingRecord(mac: MACAddress(value: UInt64($0)), option82: Option82(circuit: "olt-1/1/\($0)"), lastSeen: 7)
        }
        let messages = try HABindingBatch.messages(for: records) { .localBindings($0) }
        var back: [BindingRecord] = []
        for m in messages {
            let bytes = try IPCCodec.encode(m, generation: 1, direction: .masterToOps)
            #expect(bytes.count <= IPCLimits.maximumMessageSize)
            guard case .localBindings(let part) = try IPCCodec.decode(bytes, direction: .masterToOps,
                                                                      hasDescriptor: false).message else {
                Issue.record("not local-bindings"); return
            }
            back += part
        }
        #expect(back == records)
    }
}
