import ShadowCore

/// Writes each message's payload (layouts in docs/ipc.md).
enum PayloadEncoder {
    static func encode(_ message: IPCMessage, into w: inout ByteWriter) {
        switch message {
        case .ready(let m):
            w.u32(m.pid); w.u32(m.uid); w.u32(m.gid); w.u64(m.workerGeneration)
        case .shutdown:
            break
        case .snapshot(let m):
            w.u64(m.snapshotGeneration); w.u64(m.byteCount); w.u64(m.digest); w.u32(m.reservationCount)
        case .snapshotApplied(let m):
            w.u64(m.snapshotGeneration); w.u32(m.reservationCount)
        case .snapshotRejected(let m):
            w.u64(m.snapshotGeneration); w.u16(m.reason.rawValue)
        case .bindingLearned(let m):
            mac(m.mac, &w); option82(m.option82, &w)
        case .bindingUpdate(let record):
            binding(record, &w)
        case .bindingRemove(let address):
            mac(address, &w)
        case .bindingTableBegin(let m), .bindingTableCommit(let m):
            w.u64(m.tableGeneration); w.u32(m.entryCount)
        case .bindingTableChunk(let chunk):
            w.u64(chunk.tableGeneration)
            precondition(chunk.records.count <= Int(UInt16.max))
            w.u16(UInt16(chunk.records.count))
            for record in chunk.records { binding(record, &w) }
        case .event(let line):
            w.raw(line)
        case .counters(let counters):
            precondition(counters.count <= Int(UInt16.max))
            w.u16(UInt16(counters.count))
            for c in counters {
                let name = Array(c.name.utf8)
                precondition(!name.isEmpty && name.count <= IPCLimits.maximumCounterName, "bad counter name")
                w.u8(UInt8(name.count)); w.raw(name); w.u64(c.value)
            }
        case .configure(let c):
            w.u32(UInt32(c.idsJSON.count)); w.raw(c.idsJSON)
            w.u32(UInt32(c.configJSON.count)); w.raw(c.configJSON)
        case .shares, .peerSetup, .peerStates, .peerBindings, .localBindings, .bindingTableRequest:
            HAPayloadCodec.encode(message, into: &w)
        case .lastServedRequest, .lastServedQuery, .lastServedReport, .lastServedResponse:
            LastServedCodec.encode(message, into: &w)
        case .rateLimits(let limits):
            RateLimitsCodec.encode(limits, into: &w)
        default:
            OpsPayloadCodec.encode(message, into: &w)
        }
    }

    /// Six bytes in wire order.
    static func mac(_ m: MACAddress, _ w: inout ByteWriter) {
        for i in 0..<6 { w.u8(m[byte: i]) }
    }

    /// A presence byte (bit 0 circuit, 1 remote, 2 subscriber), then each present field as a
    /// u16-length UTF-8 string.
    /// (No array of the three fields: bindings are encoded by the hundred thousand for the HA peers
    /// and a table transfer, and an array per binding was most of the cost.)
    static func option82(_ o: Option82, _ w: inout ByteWriter) {
        var presence: UInt8 = 0
        if o.circuit != nil { presence |= 1 }
        if o.remote != nil { presence |= 2 }
        if o.subscriber != nil { presence |= 4 }
        w.u8(presence)
        if let f = o.circuit { w.string16(f) }
        if let f = o.remote { w.string16(f) }
        if let f = o.subscriber { w.string16(f) }
    }

    /// Bytes ``binding(_:_:)`` needs for `record` (for chunking).
    static func bindingSize(_ record: BindingRecord) -> Int {
        let o = record.option82
        func size(_ s: String?) -> Int { s.map { 2 + $0.utf8.count } ?? 0 }
        return 6 + 1 + size(o.circuit) + size(o.remote) + size(o.subscriber) + 8
    }

    static func binding(_ r: BindingRecord, _ w: inout ByteWriter) {
        mac(r.mac, &w); option82(r.option82, &w); w.u64(r.lastSeen)
    }
}
