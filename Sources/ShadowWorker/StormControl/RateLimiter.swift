import DHCPv6
import ShadowCore

/// Which bucket refused a request.
public enum RateVerdict: Sendable {
    case admitted
    case client
    case relay
}

/// Storm control (docs/dhcpv4.md and docs/dhcpv6.md, "Storm control"): a token bucket per client
/// and, when `per_relay_per_s` is set, one per relay, each kind in a fixed ``TokenBucketTable``
/// allocated when the worker is configured. The client table is sized to the reservations
/// (``clientSlots(reservations:)``) and made again, its buckets carried over, when a snapshot
/// asks for another size (``fit(reservations:)``). This class owns the tables' memory; the packet
/// path uses ``buckets``, a plain value (no reference counting per packet).
public final class RateLimiter {
    /// Client buckets: at most 65,536 slots (1 MiB).
    public static let maximumClientSlots = 65_536
    /// Client buckets: at least 4,096 slots (64 KiB).
    public static let minimumClientSlots = 4_096
    /// Relay buckets: 4,096 slots (64 KiB).
    public static let relaySlots = 4_096

    /// Client slots for `reservations`: twice as many (only a reserved client is ever answered,
    /// so at most half the slots hold a key), a power of two within
    /// ``minimumClientSlots``…``maximumClientSlots``.
    public static func clientSlots(reservations: Int) -> Int {
        var n = minimumClientSlots
        while n < maximumClientSlots && n < 2 * reservations { n <<= 1 }
        return n
    }

    public let settings: RateLimitSettings
    /// Replaced only by ``fit(reservations:)``, between two batches.
    public private(set) var buckets: RateBuckets

    /// The tables `settings` asks for, the client table sized for `reservations`; nil when both
    /// limits are off.
    public init?(_ settings: RateLimitSettings, reservations: Int) {
        guard settings.isEnabled else { return nil }
        self.settings = settings
        let relays = settings.perRelayPerSecond > 0 ? UnsafeMutablePointer<TokenBucketTable>.allocate(capacity: 1) : nil
        relays?.initialize(to: TokenBucketTable(slotCount: Self.relaySlots, perSecond: settings.perRelayPerSecond))
        buckets = RateBuckets(
            clients: settings.perClientPerSecond > 0
                ? TokenBucketTable(slotCount: Self.clientSlots(reservations: reservations),
                                   perSecond: settings.perClientPerSecond) : nil,
            relayTable: relays)
    }

    /// Makes the client table again, its buckets carried over, when `reservations` asks for
    /// another size; true when it did (the holder of ``buckets`` must take them again).
    public func fit(reservations: Int) -> Bool {
        guard let old = buckets.clients else { return false }
        let slots = Self.clientSlots(reservations: reservations)
        guard slots != old.slotCount else { return false }
        buckets = RateBuckets(clients: TokenBucketTable(slotCount: slots, carrying: old), relayTable: buckets.relayTable)
        old.deallocate()
        return true
    }

    deinit {
        buckets.clients?.deallocate()
        if let relayTable = buckets.relayTable {
            relayTable.pointee.deallocate()
            relayTable.deinitialize(count: 1)
            relayTable.deallocate()
        }
    }

    public var clients: TokenBucketTable? { buckets.clients }
    public var relays: TokenBucketTable? { buckets.relayTable?.pointee }

    /// Bytes of memory the tables take.
    public var byteCount: Int { (clients?.byteCount ?? 0) + (relays?.byteCount ?? 0) }
}

/// The tables of a ``RateLimiter`` as the packet path asks them. Asked only for a request the
/// engine would answer; the client's bucket first, so a client refused costs its relay nothing,
/// and a request the relay's bucket refuses gives its token back to the client's.
///
/// Kept in the worker's sink as a value (``off`` when both limits are off), so the packet path
/// reads the tables in place: a client admitted from its home slot costs no call. The client
/// table is held as its four words (what the inlined admission reads); the relay table, off by
/// default and asked out of line, as one pointer, so a request pays one test for it.
public struct RateBuckets {
    public let clients: TokenBucketTable?
    /// The relay table (``RateLimiter`` owns it), nil when `per_relay_per_s` is off.
    let relayTable: UnsafeMutablePointer<TokenBucketTable>?

    /// Both limits off.
    public static var off: RateBuckets { RateBuckets(clients: nil, relayTable: nil) }

    /// Whether either limit is on.
    @inline(__always)
    public var isOn: Bool { clients != nil || relayTable != nil }

    /// A DHCPv4 request the engine answered: the client is its chaddr (`hlen` bytes, at most 16),
    /// the relay its giaddr (a request without one, sent by the client itself, has no relay
    /// bucket).
    @inline(__always)
    public func admitV4(_ datagram: UnsafeRawBufferPointer, now: UInt32) -> RateVerdict {
        var slot = -1
        if let clients {
            guard datagram.count >= 44 else { return .admitted }
            slot = clients.take(StormKey.chaddr(datagram), now: now)
            if slot < 0 { return .client }
        }
        if let relayTable { return Self.admitRelayV4(relayTable, clients, slot, datagram, now) }
        return .admitted
    }

    /// The relay's part of ``admitV4(_:now:)`` (out of line: the relay limit is off by default).
    @inline(never)
    static func admitRelayV4(_ relays: UnsafeMutablePointer<TokenBucketTable>, _ clients: TokenBucketTable?, _ slot: Int,
                             _ datagram: UnsafeRawBufferPointer, _ now: UInt32) -> RateVerdict {
        guard datagram.count >= 28 else { return .admitted }
        let giaddr = UInt32(bigEndian: datagram.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
        if giaddr != 0, relays.pointee.take(StormKey.of(giaddr, domain: StormKey.relayDomain), now: now) < 0 {
            clients?.refund(slot)
            return .relay
        }
        return .admitted
    }

    /// A DHCPv6 request the engine answered (`datagram`, from `source`): the client is its DUID
    /// (Client Identifier), `clientKey` its hash (the event's ``DHCPv6Event/clientIDHash``, which
    /// the engine made once for its lookup; nil when the message has none: an Information-request
    /// may omit it, and has no client bucket), the relay the address a Relay-forward came from
    /// (the outermost relay, the one that sent the datagram to this server; a message a client
    /// sent directly has no relay bucket).
    @inline(__always)
    public func admitV6(clientKey: UInt64?, datagram: UnsafeRawBufferPointer, source: IPv6Address,
                        now: UInt32) -> RateVerdict {
        var slot = -1
        if let clients, let clientKey {
            slot = clients.take(clientKey, now: now)
            if slot < 0 { return .client }
        }
        if let relayTable { return Self.admitRelayV6(relayTable, clients, slot, datagram, source, now) }
        return .admitted
    }

    /// The relay's part of ``admitV6(clientKey:datagram:source:now:)`` (out of line, as for DHCPv4).
    @inline(never)
    static func admitRelayV6(_ relays: UnsafeMutablePointer<TokenBucketTable>, _ clients: TokenBucketTable?, _ slot: Int,
                             _ datagram: UnsafeRawBufferPointer, _ source: IPv6Address, _ now: UInt32) -> RateVerdict {
        guard datagram.first == DHCPv6MessageType.relayForward.rawValue else { return .admitted }
        if relays.pointee.take(StormKey.of(source, domain: StormKey.relayDomain), now: now) < 0 {
            clients?.refund(slot)
            return .relay
        }
        return .admitted
    }
}
