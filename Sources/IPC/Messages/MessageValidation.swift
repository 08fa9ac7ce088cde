import ShadowCore

/// Checks, before encoding, what the peer's decoder would refuse, so a bad value fails on the
/// sending side with the same error instead of closing the channel at the receiver.
enum MessageValidation {
    static func check(_ message: IPCMessage) throws(IPCError) {
        let type = message.type
        switch message {
        case .event(let line):
            guard !line.isEmpty, String(validating: line, as: UTF8.self) != nil else {
                throw .invalidField(type, field: "event", offset: 0)
            }
        case .counters(let counters):
            guard counters.count <= Int(UInt16.max) else { throw .invalidField(type, field: "count", offset: 0) }
            for c in counters {
                let name = c.name.utf8
                guard !name.isEmpty, name.count <= IPCLimits.maximumCounterName,
                      name.allSatisfy({ $0 >= 0x21 && $0 < 0x7F }) else {
                    throw .invalidField(type, field: "counter name", offset: 0)
                }
            }
        case .bindingLearned(let b):
            try option82(b.option82, type)
        case .bindingUpdate(let r):
            try option82(r.option82, type)
        case .bindingTableChunk(let chunk):
            guard chunk.records.count <= Int(UInt16.max) else { throw .invalidField(type, field: "count", offset: 8) }
            for r in chunk.records { try option82(r.option82, type) }
        case .shares, .peerSetup, .peerStates, .peerBindings, .localBindings, .bindingTableRequest:
            try HAPayloadCodec.check(message)
        case .lastServedRequest, .lastServedQuery, .lastServedReport, .lastServedResponse:
            try LastServedCodec.check(message)
        case .rateLimits(let limits):
            try RateLimitsCodec.check(limits)
        default:
            try OpsPayloadCodec.check(message)
        }
    }

    /// 1–255 bytes of printable ASCII without space.
    static func isCounterName(_ name: String) -> Bool {
        let utf8 = name.utf8
        return !utf8.isEmpty && utf8.count <= IPCLimits.maximumCounterName && utf8.allSatisfy { $0 >= 0x21 && $0 < 0x7F }
    }

    static func option82(_ o: Option82, _ type: MessageType) throws(IPCError) {
        for field in [o.circuit, o.remote, o.subscriber] {
            if let f = field, f.utf8.count > Int(UInt16.max) {
                throw .invalidField(type, field: "option82", offset: 0)
            }
        }
    }
}
