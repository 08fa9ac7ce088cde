import ShadowCore

/// Which bucket refused a request.
public enum RateVerdict: Sendable {
    case admitted
    case client
    case relay
}

/// Storm control (docs/dhcpv4.md and docs/dhcpv6.md, "Storm control"): a token bucket per client
/// and, when `per_relay_per_s` is set, one per relay, each kind in a fixed ``TokenBucketTable``
/// allocated when the worker is configured. This class owns the tables' memory; the packet path
/// uses ``buckets``, a plain value (no reference counting per packet).
public final class RateLimiter {
    /// Client buckets: 65,536 slots (1 MiB).
    public static let clientSlots = 65_536
    /// Relay buckets: 4,096 slots (64 KiB).
    public static let relaySlots = 4_096

    public let settings: RateLimitSettings
    public let buckets: RateBuckets

    /// The tables `settings` asks for; nil when both limits are off.
    public init?(_ settings: RateLimitSettings) {
        guard settings.isEnabled else { return nil }
        self.settings = settings
        buckets = RateBuckets(
            clients: settings.perClientPerSecond > 0
                ? TokenBucketTable(slotCount: Self.clientSlots, perSecond: settings.perClientPerSecond) : nil,
            relays: settings.perRelayPerSecond > 0
                ? TokenBucketTable(slotCount: Self.relaySlots, perSecond: settings.perRelayPerSecond) : nil)
    }

    deinit {
        buckets.clients?.deallocate()
        buckets.relays?.deallocate()
    }

    public var clients: TokenBucketTable? { buckets.clients }
    public var relays: TokenBucketTable? { buckets.relays }

    /// Bytes of memory the tables take.
    public var byteCount: Int { (clients?.byteCount ?? 0) + (relays?.byteCount ?? 0) }
}

/// The tables of a ``RateLimiter`` as the packet path asks them. Asked only for a request the
/// engine would answer; the client's bucket first, so a client refused costs its relay nothing,
/// and a request the relay's bucket refuses gives its token back to the client's.
public struct RateBuckets {
    public let clients: TokenBucketTable?
    public let relays: TokenBucketTable?

    /// A DHCPv4 request the engine answered: the client is its chaddr (`hlen` bytes, at most 16),
    /// the relay its giaddr (a request without one, sent by the client itself, has no relay
    /// bucket).
    @inline(__always)
    public func admitV4(_ datagram: UnsafeRawBufferPointer, now: UInt32) -> RateVerdict {
        guard datagram.count >= 44 else { return .admitted }
        var slot = -1
        if let clients {
            slot = clients.take(StormKey.chaddr(datagram), now: now)
            if slot < 0 { return .client }
        }
        if let relays {
            let giaddr = UInt32(bigEndian: datagram.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
            if giaddr != 0, relays.take(StormKey.of(giaddr, domain: StormKey.relayDomain), now: now) < 0 {
                clients?.refund(slot)
                return .relay
            }
        }
        return .admitted
    }

    /// A DHCPv6 request the engine answered: the client is its DUID (Client Identifier), the
    /// relay the address the Relay-forward came from (`relay`; nil for a message a client sent
    /// directly). A message without a Client Identifier (an Information-request may omit it)
    /// has no client bucket.
    @inline(__always)
    public func admitV6(clientID: UnsafeRawBufferPointer?, relay: IPv6Address?, now: UInt32) -> RateVerdict {
        admitV6(clientKey: clientID.map { StormKey.of($0, domain: StormKey.clientDomain) }, relay: relay, now: now)
    }

    /// ``admitV6(clientID:relay:now:)`` with the client's key already made (the engine's event
    /// hashes its copy of the DUID in place, ``InlineBytes/wordHash(seed:)``).
    @inline(__always)
    public func admitV6(clientKey: UInt64?, relay: IPv6Address?, now: UInt32) -> RateVerdict {
        var slot = -1
        if let clients, let clientKey {
            slot = clients.take(clientKey, now: now)
            if slot < 0 { return .client }
        }
        if let relays, let relay, relays.take(StormKey.of(relay, domain: StormKey.relayDomain), now: now) < 0 {
            clients?.refund(slot)
            return .relay
        }
        return .admitted
    }
}
