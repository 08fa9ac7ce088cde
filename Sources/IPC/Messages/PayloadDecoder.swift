import ShadowCore

/// Reads each message's payload, consuming it exactly.
enum PayloadDecoder {
    static func decode(_ type: MessageType, _ payload: UnsafeRawBufferPointer) throws(IPCError) -> IPCMessage {
        var r = ByteReader(payload)
        let message: IPCMessage
        do {
            message = try decodeFields(type, &r)
        } catch {
            switch error {
            case .truncated(let offset, let needed): throw .truncatedPayload(type, offset: offset, needed: needed)
            case .invalid(let field, let offset): throw .invalidField(type, field: field, offset: offset)
            }
        }
        guard r.isAtEnd else { throw .trailingBytes(type, count: r.remaining) }
        return message
    }

    private static func decodeFields(_ type: MessageType, _ r: inout ByteReader) throws(ByteReader.Failure) -> IPCMessage {
        switch type {
        case .ready:
            return .ready(ReadyMessage(pid: try r.u32(), uid: try r.u32(), gid: try r.u32(), workerGeneration: try r.u64()))
        case .shutdown:
            return .shutdown
        case .snapshot:
            return .snapshot(SnapshotAnnouncement(snapshotGeneration: try r.u64(), byteCount: try r.u64(),
                                                  digest: try r.u64(), reservationCount: try r.u32()))
        case .snapshotApplied:
            return .snapshotApplied(SnapshotApplied(snapshotGeneration: try r.u64(), reservationCount: try r.u32()))
        case .snapshotRejected:
            let generation = try r.u64()
            let at = r.offset
            guard let reason = SnapshotRejected.Reason(rawValue: try r.u16()) else { throw r.invalid("reason", at: at) }
            return .snapshotRejected(SnapshotRejected(snapshotGeneration: generation, reason: reason))
        case .bindingLearned:
            return .bindingLearned(BindingLearned(mac: try mac(&r), option82: try option82(&r)))
        case .bindingUpdate:
            return .bindingUpdate(try binding(&r))
        case .bindingRemove:
            return .bindingRemove(try mac(&r))
        case .bindingTableBegin:
            return .bindingTableBegin(BindingTableMarker(tableGeneration: try r.u64(), entryCount: try r.u32()))
        case .bindingTableCommit:
            return .bindingTableCommit(BindingTableMarker(tableGeneration: try r.u64(), entryCount: try r.u32()))
        case .bindingTableChunk:
            let generation = try r.u64()
            let count = Int(try r.u16())
            var records: [BindingRecord] = []
            records.reserveCapacity(count)
            for _ in 0..<count { records.append(try binding(&r)) }
            return .bindingTableChunk(BindingTableChunk(tableGeneration: generation, records: records))
        case .event:
            let line = try r.bytes(r.remaining)
            guard !line.isEmpty, String(validating: line, as: UTF8.self) != nil else { throw r.invalid("event", at: 0) }
            return .event(Array(line))
        case .counters:
            return .counters(try counters(&r))
        case .configure:
            let ids = Array(try r.bytes(Int(try r.u32())))
            let config = Array(try r.bytes(Int(try r.u32())))
            return .configure(WorkerConfiguration(idsJSON: ids, configJSON: config))
        case .shares, .peerSetup, .peerStates, .peerBindings, .localBindings, .bindingTableRequest:
            return try HAPayloadCodec.decode(type, &r)
        case .lastServedRequest, .lastServedQuery, .lastServedReport, .lastServedResponse:
            return try LastServedCodec.decode(type, &r)
        case .rateLimits:
            return try RateLimitsCodec.decode(&r)
        default:
            return try OpsPayloadCodec.decode(type, &r)
        }
    }

    static func counters(_ r: inout ByteReader) throws(ByteReader.Failure) -> [Counter] {
        let count = Int(try r.u16())
        var out: [Counter] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            let at = r.offset
            let length = Int(try r.u8())
            let raw = try r.bytes(length)
            guard length > 0, raw.allSatisfy({ $0 >= 0x21 && $0 < 0x7F }) else { throw r.invalid("counter name", at: at) }
            out.append(Counter(name: String(decoding: raw, as: UTF8.self), value: try r.u64()))
        }
        return out
    }

    static func mac(_ r: inout ByteReader) throws(ByteReader.Failure) -> MACAddress {
        MACAddress(bytes: try r.bytes(6))
    }

    static func option82(_ r: inout ByteReader) throws(ByteReader.Failure) -> Option82 {
        let at = r.offset
        let presence = try r.u8()
        guard presence & ~0b111 == 0 else { throw r.invalid("option82 presence", at: at) }
        func field(_ bit: UInt8, _ name: String) throws(ByteReader.Failure) -> String? {
            guard presence & bit != 0 else { return nil }
            return try r.string16(field: name)
        }
        let circuit = try field(1, "option82 circuit")
        let remote = try field(2, "option82 remote")
        let subscriber = try field(4, "option82 subscriber")
        return Option82(circuit: circuit, remote: remote, subscriber: subscriber)
    }

    static func binding(_ r: inout ByteReader) throws(ByteReader.Failure) -> BindingRecord {
        BindingRecord(mac: try mac(&r), option82: try option82(&r), lastSeen: try r.u64())
    }
}
