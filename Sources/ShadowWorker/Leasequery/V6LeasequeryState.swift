import DHCPv6
import ShadowCore

/// What the v6 worker keeps for leasequery while `leasequery` is enabled: the relay records of the
/// clients it served and the address index of the current snapshot. Lives on the loop thread.
public final class V6LeasequeryState {
    public private(set) var records: V6RelayRecords
    public private(set) var index: V6AddressIndex

    /// State for `snapshot`, with its index when already built (otherwise built here).
    public init(snapshot: ReservationSnapshot, index: V6AddressIndex? = nil) {
        records = V6RelayRecords(reservations: snapshot.count)
        self.index = index ?? V6AddressIndex(snapshot)
    }

    /// Follows a snapshot swap: records move with their reservations, the index is the new one.
    /// A snapshot that needs more slots than the records have (the first one after the start, or
    /// one much larger) gets new, empty records.
    public func replaceSnapshot(_ snapshot: ReservationSnapshot, sameIndexes: [Int32], index: V6AddressIndex?) {
        if V6RelayRecords.capacity(for: snapshot.count) > records.capacity {
            records = V6RelayRecords(reservations: snapshot.count)
        } else {
            records.remap(sameIndexes)
        }
        self.index = index ?? V6AddressIndex(snapshot)
    }
}

/// The worker's answers for ``LeasequeryResponder``: the snapshot, the last-served times, the
/// lease times and the relay records.
public struct V6LeasequeryData: LeasequeryBulkSource {
    let snapshot: ReservationSnapshot
    let lastServed: UnsafeMutableBufferPointer<UInt32>
    /// Unix seconds now.
    let now: UInt32
    let leases: LeaseTimes
    let state: V6LeasequeryState

    public init(snapshot: ReservationSnapshot, lastServed: UnsafeMutableBufferPointer<UInt32>, now: UInt32,
                leases: LeaseTimes, state: V6LeasequeryState) {
        self.snapshot = snapshot
        self.lastServed = lastServed
        self.now = now
        self.leases = leases
        self.state = state
    }

    public func reservation(holding address: IPv6Address) -> Int? {
        state.index.reservation(holding: address)
    }

    public func reservation(clientID: UnsafeRawBufferPointer) -> Int? {
        snapshot.index(duidBytes: clientID) ?? state.records.reservation(clientID: clientID)
    }

    public func activeBinding(_ index: Int) -> LeasequeryBinding? {
        guard index >= 0, index < snapshot.count, index < lastServed.count else { return nil }
        let served = lastServed[index]
        guard served != 0 else { return nil }
        let recorded = state.records.recorded(index)
        let clientID = recorded?.clientID ?? snapshot.duidBytes(at: index).map { Array($0) }
        return LeasequeryBinding.active(index: index, clientID: clientID, address: snapshot.ipv6NA(at: index),
                                        prefix: snapshot.ipv6PD(at: index),
                                        elapsed: now > served ? now - served : 0, leases: leases,
                                        relay: recorded?.relay)
    }

    /// The clients behind a relay: a scan of the relay records (at most
    /// ``V6RelayRecords/maximumCapacity`` slots), the active ones sorted by address.
    public func activeBindings(_ selector: LeasequeryBulkSelector) -> [LeasequeryBinding] {
        state.records.reservations(matching: selector).compactMap { activeBinding($0) }.sorted { $0.address < $1.address }
    }
}
