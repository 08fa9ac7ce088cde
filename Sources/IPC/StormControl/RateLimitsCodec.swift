import ShadowCore

/// Payload of `rate-limits` (docs/ipc.md, "Storm control"): `per_client_per_s` then
/// `per_relay_per_s`, each a u32 from 0 (off) to ``RateLimitSettings/maximumPerSecond``.
enum RateLimitsCodec {
    static func encode(_ limits: RateLimitSettings, into w: inout ByteWriter) {
        w.u32(UInt32(truncatingIfNeeded: limits.perClientPerSecond))
        w.u32(UInt32(truncatingIfNeeded: limits.perRelayPerSecond))
    }

    static func decode(_ r: inout ByteReader) throws(ByteReader.Failure) -> IPCMessage {
        let clientAt = r.offset
        let client = Int64(try r.u32())
        guard client <= RateLimitSettings.maximumPerSecond else { throw r.invalid("per_client_per_s", at: clientAt) }
        let relayAt = r.offset
        let relay = Int64(try r.u32())
        guard relay <= RateLimitSettings.maximumPerSecond else { throw r.invalid("per_relay_per_s", at: relayAt) }
        return .rateLimits(RateLimitSettings(perClientPerSecond: Int(client), perRelayPerSecond: Int(relay)))
    }

    static func check(_ limits: RateLimitSettings) throws(IPCError) {
        let range = 0...Int(RateLimitSettings.maximumPerSecond)
        guard range.contains(limits.perClientPerSecond) else {
            throw .invalidField(.rateLimits, field: "per_client_per_s", offset: 0)
        }
        guard range.contains(limits.perRelayPerSecond) else {
            throw .invalidField(.rateLimits, field: "per_relay_per_s", offset: 4)
        }
    }
}
