import ShadowCore

/// Payload layouts of the high-availability messages (docs/ipc.md, "High availability").
enum HAPayloadCodec {
    static func encode(_ message: IPCMessage, into w: inout ByteWriter) {
        switch message {
        case .shares(let m):
            w.u8(m.shares.mode.wireCode); w.u8(UInt8(truncatingIfNeeded: m.shares.serverCount))
            w.u8(UInt8(truncatingIfNeeded: m.shares.primaryIndex)); w.u16(m.shares.answering)
            w.u8(m.holdCorrelation ? 1 : 0)
        case .peerSetup(let m):
            w.u16(UInt16(truncatingIfNeeded: m.key.count)); w.raw(m.key); w.u8(m.tableSynced ? 1 : 0)
        case .peerStates(let m):
            w.u8(m.tableSynced ? 1 : 0); w.u8(UInt8(truncatingIfNeeded: m.livePeers.count))
            for name in m.livePeers { w.string16(name) }
        case .peerBindings(let records), .localBindings(let records):
            w.u16(UInt16(truncatingIfNeeded: records.count))
            for r in records { PayloadEncoder.binding(r, &w) }
        case .bindingTableRequest(let id):
            w.u64(id)
        default:
            preconditionFailure("not a high-availability message: \(message.type)")
        }
    }

    static func decode(_ type: MessageType, _ r: inout ByteReader) throws(ByteReader.Failure) -> IPCMessage {
        switch type {
        case .shares:
            var at = r.offset
            guard let mode = HASettings.Mode(wireCode: try r.u8()) else { throw r.invalid("mode", at: at) }
            at = r.offset
            let count = Int(try r.u8())
            guard (1...HASettings.maximumPeers + 1).contains(count) else { throw r.invalid("server count", at: at) }
            at = r.offset
            let primary = Int(try r.u8())
            guard primary < count, mode == .hotStandby || primary == 0 else { throw r.invalid("primary", at: at) }
            at = r.offset
            let answering = try r.u16()
            guard answering >> count == 0 else { throw r.invalid("answering", at: at) }
            let hold = try flag(&r, "hold")
            return .shares(WorkerShares(shares: ServiceShares(mode: mode, serverCount: count, primaryIndex: primary,
                                                              answering: answering), holdCorrelation: hold))
        case .peerSetup:
            let at = r.offset
            let length = Int(try r.u16())
            guard length >= HASettings.minimumKeyBytes, length <= PeerSetup.maximumKeyBytes else {
                throw r.invalid("key", at: at)
            }
            let key = Array(try r.bytes(length))
            return .peerSetup(PeerSetup(key: key, tableSynced: try flag(&r, "table synced")))
        case .peerStates:
            let synced = try flag(&r, "table synced")
            let at = r.offset
            let count = Int(try r.u8())
            guard count <= HASettings.maximumPeers else { throw r.invalid("peer count", at: at) }
            var names: [String] = []
            for _ in 0..<count {
                let nameAt = r.offset
                let name = try r.string16(field: "peer name")
                guard HASettings.isValidServerName(name), !names.contains(name) else {
                    throw r.invalid("peer name", at: nameAt)
                }
                names.append(name)
            }
            return .peerStates(PeerStates(livePeers: names, tableSynced: synced))
        case .peerBindings, .localBindings:
            let count = Int(try r.u16())
            var records: [BindingRecord] = []
            records.reserveCapacity(min(count, 4096))
            for _ in 0..<count {
                let at = r.offset
                let record = try PayloadDecoder.binding(&r)
                guard !record.option82.isEmpty else { throw r.invalid("option82", at: at) }
                records.append(record)
            }
            return type == .peerBindings ? .peerBindings(records) : .localBindings(records)
        case .bindingTableRequest:
            return .bindingTableRequest(try r.u64())
        default:
            throw r.invalid("type", at: 0)
        }
    }

    /// What the decoder refuses, checked before encoding.
    static func check(_ message: IPCMessage) throws(IPCError) {
        let type = message.type
        func limit(_ ok: Bool, _ field: String) throws(IPCError) {
            guard ok else { throw .invalidField(type, field: field, offset: 0) }
        }
        switch message {
        case .shares(let m):
            let s = m.shares
            try limit((1...HASettings.maximumPeers + 1).contains(s.serverCount), "server count")
            try limit(s.primaryIndex >= 0 && s.primaryIndex < s.serverCount
                          && (s.mode == .hotStandby || s.primaryIndex == 0), "primary")
            try limit(s.answering >> s.serverCount == 0, "answering")
        case .peerSetup(let m):
            try limit(m.key.count >= HASettings.minimumKeyBytes && m.key.count <= PeerSetup.maximumKeyBytes, "key")
        case .peerStates(let m):
            try limit(m.livePeers.count <= HASettings.maximumPeers, "peer count")
            try limit(Set(m.livePeers).count == m.livePeers.count
                          && m.livePeers.allSatisfy(HASettings.isValidServerName), "peer name")
        case .peerBindings(let records), .localBindings(let records):
            try limit(records.count <= Int(UInt16.max), "count")
            for r in records {
                try limit(!r.option82.isEmpty, "option82")
                try MessageValidation.option82(r.option82, type)
            }
        default:
            break
        }
    }

    private static func flag(_ r: inout ByteReader, _ field: String) throws(ByteReader.Failure) -> Bool {
        let at = r.offset
        switch try r.u8() {
        case 0: return false
        case 1: return true
        default: throw r.invalid(field, at: at)
        }
    }
}

extension HASettings.Mode {
    /// The mode on the wire, the same in IPC `shares` and in the peer channel's heartbeat:
    /// 1 active-active, 2 load-balancing, 3 hot-standby.
    public var wireCode: UInt8 {
        switch self {
        case .activeActive: 1
        case .loadBalancing: 2
        case .hotStandby: 3
        }
    }

    public init?(wireCode: UInt8) {
        switch wireCode {
        case 1: self = .activeActive
        case 2: self = .loadBalancing
        case 3: self = .hotStandby
        default: return nil
        }
    }
}
