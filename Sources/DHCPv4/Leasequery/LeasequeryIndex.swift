import ShadowCore

/// What leasequery needs beyond the snapshot's key tables: every reservation by address, in
/// ascending order (query by address, and the order of bulk replies), and with bulk the
/// reservations behind each Option 82 remote-id. Built once per snapshot on the worker's
/// background snapshot thread, never on the packet path; immutable afterwards.
public final class LeasequeryIndex: Sendable {
    /// `ipv4 << 32 | index` of every reservation, ascending.
    private let addresses: [UInt64]
    /// Remote-id (Option 82 sub-option 2 of the reservation's key) → reservation indexes in
    /// ascending address order; empty without bulk.
    private let remoteIDs: [String: [Int32]]
    /// Whether the bulk indexes were built.
    public let bulk: Bool

    /// Indexes `snapshot`; the remote-id index only with `bulk`.
    public init(_ snapshot: ReservationSnapshot, bulk: Bool) {
        var a = [UInt64]()
        a.reserveCapacity(snapshot.count)
        for i in 0..<snapshot.count { a.append(UInt64(snapshot.ipv4(at: i).value) << 32 | UInt64(i)) }
        a.sort()
        addresses = a
        self.bulk = bulk
        var remote: [String: [Int32]] = [:]
        if bulk {
            for entry in a {
                let i = Int(entry & 0xFFFF_FFFF)
                if let r = snapshot.option82(at: i)?.remote { remote[r, default: []].append(Int32(i)) }
            }
        }
        remoteIDs = remote
    }

    /// The reservation holding `address`, if any (binary search).
    public func reservation(at address: IPv4Address) -> Int? {
        let key = UInt64(address.value) << 32
        var low = 0, high = addresses.count
        while low < high {
            let mid = (low + high) / 2
            if addresses[mid] < key { low = mid + 1 } else { high = mid }
        }
        guard low < addresses.count, addresses[low] >> 32 == key >> 32 else { return nil }
        return Int(addresses[low] & 0xFFFF_FFFF)
    }

    /// The reservations whose Option 82 key has remote-id `remote`, in ascending address order.
    public func reservations(remoteID remote: String) -> [Int32] { remoteIDs[remote] ?? [] }
}
