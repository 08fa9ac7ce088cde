import DHCPv6
import ShadowCore

/// The last Relay-forward and Client Identifier of each client this worker served, for
/// OPTION_LQ_RELAY_DATA and queries by client identifier (docs/leasequery.md, "Memory"). Kept only
/// with `leasequery` enabled.
///
/// Preallocated and bounded: ``capacity`` slots of ``slotSize`` bytes, taken in turn (a ring), and
/// one slot number per reservation. Recording a served client copies at most ``slotSize`` bytes
/// into its slot and allocates nothing. When more clients are served than there are slots, the
/// slot recorded longest ago is reused and its client loses its relay data (its binding is still
/// answered, without OPTION_LQ_RELAY_DATA).
public final class V6RelayRecords {
    /// Bytes per slot: relay address (16), DUID length (1), chain length (2), DUID, chain.
    public static let slotSize = 256
    /// At most this many slots (32 MiB of slots).
    public static let maximumCapacity = 131_072
    static let headerSize = 19

    public let capacity: Int
    private let slots: UnsafeMutableRawBufferPointer
    /// Reservation index of each slot; −1 for a free slot.
    private let owners: UnsafeMutableBufferPointer<Int32>
    /// Slot of each reservation of the current snapshot; −1 for none.
    private var slotOf: UnsafeMutableBufferPointer<Int32>
    private var next = 0
    /// Chains that did not fit their slot (recorded without relay data).
    public private(set) var oversized: UInt64 = 0

    /// Records for a snapshot of `reservations`: one slot per reservation, at least 1,024 and at
    /// most ``maximumCapacity``.
    public init(reservations: Int, capacity: Int? = nil) {
        self.capacity = capacity ?? Self.capacity(for: reservations)
        slots = .allocate(byteCount: self.capacity * Self.slotSize, alignment: 16)
        owners = .allocate(capacity: self.capacity)
        owners.initialize(repeating: -1)
        slotOf = .allocate(capacity: max(reservations, 1))
        slotOf.initialize(repeating: -1)
    }

    /// The slots for a snapshot of `reservations`.
    public static func capacity(for reservations: Int) -> Int { min(max(reservations, 1024), maximumCapacity) }

    deinit {
        slots.deallocate()
        owners.deallocate()
        slotOf.deallocate()
    }

    /// Bytes allocated: the slots, their owners and the per-reservation slot numbers.
    public var byteCount: Int { capacity * (Self.slotSize + 4) + slotOf.count * 4 }

    /// Records that reservation `index` was just served: the client's DUID and the Relay-forward
    /// chain of `datagram` (received from `relay`) without the client's message.
    public func record(_ index: Int, clientID: InlineBytes?, datagram: UnsafeRawBufferPointer, relay: IPv6Address) {
        guard index >= 0, index < slotOf.count else { return }
        var slot = Int(slotOf[index])
        if slot < 0 || owners[slot] != Int32(index) {
            slot = next
            next = next + 1 == capacity ? 0 : next + 1
            let previous = Int(owners[slot])
            if previous >= 0 && previous < slotOf.count && slotOf[previous] == Int32(slot) { slotOf[previous] = -1 }
            owners[slot] = Int32(index)
            slotOf[index] = Int32(slot)
        }
        let base = slot * Self.slotSize
        let s = UnsafeMutableRawBufferPointer(rebasing: slots[base..<(base + Self.slotSize)])
        s.storeBytes(of: relay.high.bigEndian, toByteOffset: 0, as: UInt64.self)
        s.storeBytes(of: relay.low.bigEndian, toByteOffset: 8, as: UInt64.self)
        var duidLength = 0
        if let clientID, clientID.count <= DUID.maximumLength {
            duidLength = clientID.count
            clientID.withUnsafeBytes {
                UnsafeMutableRawBufferPointer(rebasing: s[Self.headerSize..<(Self.headerSize + duidLength)]).copyMemory(from: $0)
            }
        }
        s[16] = UInt8(duidLength)
        let chainStart = Self.headerSize + duidLength
        let chain = LeasequeryRelayChain.write(datagram, into: UnsafeMutableRawBufferPointer(rebasing: s[chainStart...]))
        if chain == nil { oversized &+= 1 }
        s.storeBytes(of: UInt16(chain ?? 0), toByteOffset: 17, as: UInt16.self)
    }

    /// What was recorded for reservation `index`: the DUID and the relay data (nil when none).
    public func recorded(_ index: Int) -> (clientID: [UInt8]?, relay: LeasequeryRelayData?)? {
        guard let s = slot(of: index) else { return nil }
        let duidLength = Int(s[16])
        let chainLength = Int(s.loadUnaligned(fromByteOffset: 17, as: UInt16.self))
        let peer = IPv6Address(high: UInt64(bigEndian: s.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                               low: UInt64(bigEndian: s.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        let clientID = duidLength == 0 ? nil : Array(s[Self.headerSize..<(Self.headerSize + duidLength)])
        let chainStart = Self.headerSize + duidLength
        let relay = chainLength == 0 ? nil
            : LeasequeryRelayData(peerAddress: peer, message: Array(s[chainStart..<(chainStart + chainLength)]))
        return (clientID, relay)
    }

    /// The reservation whose client last used the DUID `clientID` (a scan of the slots: at most
    /// ``capacity`` comparisons, only for a query by client identifier whose DUID is no
    /// reservation's key).
    public func reservation(clientID: UnsafeRawBufferPointer) -> Int? {
        for slot in 0..<capacity {
            let owner = Int(owners[slot])
            guard owner >= 0 else { continue }
            let base = slot * Self.slotSize
            guard Int(slots[base + 16]) == clientID.count, clientID.count > 0 else { continue }
            if UnsafeRawBufferPointer(rebasing: slots[(base + Self.headerSize)..<(base + Self.headerSize + clientID.count)])
                .elementsEqual(clientID) { return owner }
        }
        return nil
    }

    /// The reservations whose recorded chain `selector` matches, in slot order (a scan of the
    /// slots without allocation per slot: a bulk query's selection).
    public func reservations(matching selector: LeasequeryBulkSelector) -> [Int] {
        var out: [Int] = []
        for slot in 0..<capacity {
            let owner = Int(owners[slot])
            guard owner >= 0 else { continue }
            let base = slot * Self.slotSize
            let chainLength = Int(slots.loadUnaligned(fromByteOffset: base + 17, as: UInt16.self))
            guard chainLength > 0 else { continue }
            let start = base + Self.headerSize + Int(slots[base + 16])
            if selector.matches(UnsafeRawBufferPointer(rebasing: slots[start..<(start + chainLength)])) { out.append(owner) }
        }
        return out
    }

    /// Every reservation with a record, in slot order.
    public var recordedReservations: [Int] {
        (0..<capacity).compactMap { owners[$0] >= 0 ? Int(owners[$0]) : nil }
    }

    /// Moves the records to a new snapshot of `count` reservations: `sameIndexes[i]` is the index
    /// in the old snapshot of new reservation `i` (−1: new or changed; its record is dropped).
    public func remap(_ sameIndexes: [Int32]) {
        var newOf = [Int32](repeating: -1, count: max(sameIndexes.count, 1))
        var oldToNew = [Int32](repeating: -1, count: slotOf.count)
        for (i, j) in sameIndexes.enumerated() where j >= 0 && Int(j) < oldToNew.count { oldToNew[Int(j)] = Int32(i) }
        for slot in 0..<capacity {
            let old = Int(owners[slot])
            guard old >= 0 else { continue }
            let new = old < oldToNew.count ? oldToNew[old] : -1
            owners[slot] = new
            if new >= 0 { newOf[Int(new)] = Int32(slot) }
        }
        slotOf.deallocate()
        slotOf = .allocate(capacity: newOf.count)
        _ = slotOf.initialize(from: newOf)
    }

    private func slot(of index: Int) -> UnsafeRawBufferPointer? {
        guard index >= 0, index < slotOf.count else { return nil }
        let slot = Int(slotOf[index])
        guard slot >= 0, owners[slot] == Int32(index) else { return nil }
        let base = slot * Self.slotSize
        return UnsafeRawBufferPointer(rebasing: slots[base..<(base + Self.slotSize)])
    }
}
