/// An open-addressing hash table from one kind of key to a position in ``ReservationStore``'s
/// array, holding no key itself: a slot is `(low 32 bits of the hash) << 32 | (position + 1)`
/// (0 = empty), and a candidate is confirmed by comparing the entry at that position. Linear
/// probing, at most half full, deletion by backward shift (no tombstones). 8 bytes per slot.
struct StoreIndex {
    private var slots: [UInt64]
    private var mask: Int
    private(set) var count = 0

    init(expected: Int) {
        var capacity = 16
        while capacity < expected * 2 { capacity <<= 1 }
        slots = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
    }

    @inline(__always) private static func tag(_ hash: UInt64) -> UInt64 { hash & 0xFFFF_FFFF }

    /// The position whose entry `matches` confirms, among those stored under `hash`.
    func find(hash: UInt64, matches: (Int) -> Bool) -> Int? {
        let tag = Self.tag(hash)
        var p = Int(tag) & mask
        while true {
            let s = slots[p]
            if s == 0 { return nil }
            if s >> 32 == tag, matches(Int(s & 0xFFFF_FFFF) - 1) { return Int(s & 0xFFFF_FFFF) - 1 }
            p = (p + 1) & mask
        }
    }

    /// Adds `position` under `hash` (the caller has checked that the key is not present).
    mutating func insert(hash: UInt64, position: Int) {
        if (count + 1) * 2 > slots.count { grow() }
        put(Self.tag(hash) << 32 | UInt64(position + 1))
        count += 1
    }

    private mutating func put(_ slot: UInt64) {
        var p = Int(slot >> 32) & mask
        while slots[p] != 0 { p = (p + 1) & mask }
        slots[p] = slot
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        mask = slots.count - 1
        for s in old where s != 0 { put(s) }
    }

    /// Where the slot for (`hash`, `position`) is.
    private func slot(hash: UInt64, position: Int) -> Int {
        let wanted = Self.tag(hash) << 32 | UInt64(position + 1)
        var p = Int(Self.tag(hash)) & mask
        while slots[p] != wanted {
            precondition(slots[p] != 0, "StoreIndex: removing an entry that is not indexed")
            p = (p + 1) & mask
        }
        return p
    }

    /// Removes the entry stored for `position` under `hash`.
    mutating func remove(hash: UInt64, position: Int) {
        var hole = slot(hash: hash, position: position)
        slots[hole] = 0
        count -= 1
        // Backward shift: move later members of the cluster into the hole when their home slot
        // does not lie cyclically in (hole, j].
        var j = hole
        while true {
            j = (j + 1) & mask
            let s = slots[j]
            if s == 0 { return }
            let home = Int(s >> 32) & mask
            let stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j)
            if !stays {
                slots[hole] = s
                slots[j] = 0
                hole = j
            }
        }
    }

    /// The entry stored for `from` under `hash` now lives at `to`.
    mutating func move(hash: UInt64, from: Int, to: Int) {
        let p = slot(hash: hash, position: from)
        slots[p] = Self.tag(hash) << 32 | UInt64(to + 1)
    }
}
