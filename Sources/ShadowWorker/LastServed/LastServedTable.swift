import DHCPv6
import IPC
import ShadowCore
import ShadowSystem
import SystemPackage

/// When this worker last served each reservation of its snapshot: one u32 per reservation (Unix
/// seconds of the last DHCPv4 ACK or DHCPv6 Reply carrying the reservation; 0 = not since it was
/// loaded or last changed). Allocated once per snapshot; the packet path only stores into it
/// (``WorkerSink/served(_:)``).
public final class LastServedTable {
    /// The times, indexed like the snapshot they belong to.
    public let times: UnsafeMutableBufferPointer<UInt32>

    /// All zero, for a snapshot of `count` reservations.
    public init(count: Int) {
        times = .allocate(capacity: count)
        times.initialize(repeating: 0)
    }

    /// The table for a new snapshot: each reservation's time carried over from this table when the
    /// previous snapshot had the very same entry (`sameIndexes`, from
    /// ``ReservationSnapshot/sameIndexes(in:)``: same keys, same addresses), 0 otherwise.
    public func carried(over sameIndexes: [Int32]) -> LastServedTable {
        let next = LastServedTable(count: sameIndexes.count)
        for (i, j) in sameIndexes.enumerated() where j >= 0 && Int(j) < times.count {
            next.times[i] = times[Int(j)]
        }
        return next
    }

    deinit { times.deallocate() }

    /// The times in a new sealed memfd (``LastServedImage``) for `last-served-report`.
    func sealedFile(generation: UInt64) throws(Errno) -> FileDescriptor {
        let size = LastServedImage.byteCount(reservations: times.count, protocols: 1)
        return try SealedMemoryFile.create(name: "shadowdhcp-last-served", byteCount: size) { buffer in
            LastServedImage.write(generation: generation, [UnsafeBufferPointer(times)], into: buffer)
        }
    }
}

/// Which replies count as serving a reservation (docs/operations.md, "Last served and online").
enum LastServedRule {
    /// DHCPv6: a Reply carrying the reservation's leases — to a Solicit with Rapid Commit, a
    /// Request, a Renew or a Rebind; not to Confirm, Release, Decline or Information-request.
    @inline(__always)
    static func servesLeases(v6 clientType: UInt8?) -> Bool {
        switch clientType {
        case DHCPv6MessageType.solicit.rawValue, DHCPv6MessageType.request.rawValue,
             DHCPv6MessageType.renew.rawValue, DHCPv6MessageType.rebind.rawValue: true
        default: false
        }
    }
}
