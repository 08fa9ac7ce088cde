import ShadowCore

/// One reservation as leasequery reports it: the address, the client's MAC when known, the
/// Option 82 the client last came in with, and when this worker last served it.
public struct LeasequeryLease: Sendable, Hashable {
    public var index: Int
    public var address: IPv4Address
    public var mac: MACAddress?
    public var option82: Option82?
    /// Unix seconds of the last ACK (0: not served since this worker had the reservation).
    public var servedAt: UInt32

    /// Whether the lease is active at `now`: served, and within `leaseTime` of it.
    public func isActive(now: UInt32, leaseTime: UInt32) -> Bool {
        guard servedAt != 0 else { return false }
        if leaseTime == LeaseTimes.infinite { return true }
        return UInt64(now) < UInt64(servedAt) + UInt64(leaseTime)
    }

    /// The lease time left at `now` (option 51).
    public func remaining(now: UInt32, leaseTime: UInt32) -> UInt32 {
        if leaseTime == LeaseTimes.infinite { return leaseTime }
        let end = UInt64(servedAt) + UInt64(leaseTime)
        return end > UInt64(now) ? UInt32(end - UInt64(now)) : 0
    }
}

/// The state leasequery answers from: the live snapshot with its ``LeasequeryIndex``, this
/// worker's last-served times (one per reservation, indexed like the snapshot) and the binding table.
public struct LeasequeryState {
    public var snapshot: ReservationSnapshot
    public var index: LeasequeryIndex
    public var lastServed: UnsafeBufferPointer<UInt32>
    public var bindings: BindingTable
    /// The reservations whose last ACK came through a relay identifier (bulk only; nil: not recorded).
    public var relayIDReservations: (([UInt8]) -> [Int])?

    public init(snapshot: ReservationSnapshot, index: LeasequeryIndex, lastServed: UnsafeBufferPointer<UInt32>,
                bindings: BindingTable, relayIDReservations: (([UInt8]) -> [Int])? = nil) {
        self.snapshot = snapshot
        self.index = index
        self.lastServed = lastServed
        self.bindings = bindings
        self.relayIDReservations = relayIDReservations
    }

    /// Reservation `i` as a lease: its MAC, and the Option 82 the binding table holds for that
    /// MAC (the client's last ACK), else the reservation's own Option 82 key.
    public func lease(_ i: Int) -> LeasequeryLease {
        let mac = snapshot.mac(at: i)
        let option82 = mac.flatMap { bindings.option82(for: $0) } ?? snapshot.option82(at: i)
        return LeasequeryLease(index: i, address: snapshot.ipv4(at: i), mac: mac, option82: option82,
                               servedAt: i < lastServed.count ? lastServed[i] : 0)
    }

    /// The reservation of the client with MAC `mac`: the same lookup as a DISCOVER's by chaddr,
    /// then, for a reservation keyed by Option 82, the binding the client's ACK taught.
    public func reservation(mac: MACAddress) -> Int? {
        if let m = snapshot.matchV4(mac: mac) { return m.index }
        return bindings.option82(for: mac).flatMap { snapshot.index(option82: $0) }
    }
}
