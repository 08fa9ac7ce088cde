import ShadowCore

/// Every reservation's last-served times, per protocol, as the master merged them from the DHCP
/// workers (docs/operations.md, "Last served and online"): Unix seconds of the last DHCPv4 ACK and
/// of the last DHCPv6 Reply carrying the reservation's leases, the newest of all workers of the
/// protocol; 0 when not served since the reservation was loaded or last changed. Indexed like the
/// snapshot of ``snapshotGeneration``.
public struct LastServedTimes: Sendable, Equatable {
    public var snapshotGeneration: UInt64
    public var v4: [UInt32]
    public var v6: [UInt32]
    /// How many workers of each protocol answered.
    public var answeredV4: Int
    public var answeredV6: Int
    /// The workers whose times are not included (`v4#0`, `v6#1`: protocol and worker number):
    /// they did not answer within 2 s, or answered for another snapshot.
    public var missingWorkers: [String]

    public init(snapshotGeneration: UInt64, v4: [UInt32], v6: [UInt32], answeredV4: Int = 1, answeredV6: Int = 1,
                missingWorkers: [String] = []) {
        precondition(v4.count == v6.count)
        self.snapshotGeneration = snapshotGeneration
        self.v4 = v4
        self.v6 = v6
        self.answeredV4 = answeredV4
        self.answeredV6 = answeredV6
        self.missingWorkers = missingWorkers
    }

    public var reservationCount: Int { v4.count }

    /// Reservation `index`'s last DHCPv4 ACK, nil if none (or out of range).
    public func lastServedV4(_ index: Int) -> UInt32? { time(v4, index) }

    /// Reservation `index`'s last DHCPv6 Reply with its leases, nil if none (or out of range).
    public func lastServedV6(_ index: Int) -> UInt32? { time(v6, index) }

    private func time(_ times: [UInt32], _ index: Int) -> UInt32? {
        guard times.indices.contains(index), times[index] != 0 else { return nil }
        return times[index]
    }

    /// Whether a time counts as online at `now` for a lease of `lease` seconds: served, and
    /// `now − served ≤ lease` (a time ahead of `now`, after the clock stepped back, counts).
    @inline(__always)
    public static func isOnline(_ served: UInt32, now: UInt64, lease: UInt32) -> Bool {
        served != 0 && (UInt64(served) >= now || now - UInt64(served) <= UInt64(lease))
    }

    /// How many of the reservations at `indexes` were served within their lease time at `now`
    /// (DHCPv4: `leases.v4_lease`; DHCPv6: `leases.v6_valid`). Indexes outside the snapshot count
    /// as not served. This is what `online` counts, for any subset (e.g. the reservations a `diff`
    /// would touch).
    public func servedWithinLease(_ proto: IPProtocolVersion, indexes: some Sequence<Int>, leases: LeaseTimes,
                                  now: UInt64) -> Int {
        let times = proto == .v4 ? v4 : v6
        let lease = proto == .v4 ? leases.v4Lease : leases.v6Valid
        var n = 0
        for i in indexes where times.indices.contains(i) && Self.isOnline(times[i], now: now, lease: lease) { n += 1 }
        return n
    }
}

/// A DHCP protocol, for ``LastServedTimes``.
public enum IPProtocolVersion: String, Sendable, CaseIterable {
    case v4, v6
}
