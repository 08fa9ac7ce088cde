import ShadowSystem

/// Token buckets for many keys in one fixed block of memory (docs/dhcpv4.md, "Storm control").
///
/// A plain value over memory it does not own, so the packet path copies it without reference
/// counting: ``RateLimiter`` allocates the slots and frees them (``deallocate()``) when it goes.
///
/// An open-addressing table of `slotCount` slots (a power of two), 16 bytes each, allocated once
/// when the table is made; taking a token never allocates. The slots are fresh zeroed pages
/// (``ZeroedPages``), and an empty slot is all zeros, so making a table writes nothing: a page
/// becomes resident when the first key whose home slot is on it arrives. A key is the 64-bit hash of its bytes
/// (``StormKey``): two keys whose hashes are equal share a bucket. A key is looked for in the
/// ``probeLength`` slots from its hash's home slot; a key not found takes the first empty one,
/// or else the one of them touched least recently (its bucket is forgotten: the evicted key
/// starts again with a full bucket when it comes back).
///
/// Tokens are counted in thousandths: a bucket gains `perSecond` thousandths per millisecond
/// (`perSecond` tokens per second), holds at most `burst` tokens, and a request takes one. Time
/// is the caller's coarse millisecond clock (wrapping, 32 bits), never read here.
public struct TokenBucketTable {
    struct Slot {
        /// The key's hash with its lowest bit set (``stored(_:)``); 0 for an empty slot.
        var key: UInt64
        /// Thousandths of a token.
        var tokens: UInt32
        /// The millisecond clock when the bucket was last refilled.
        var touched: UInt32
    }

    /// Slots looked at per key: its home slot and the next three.
    public static let probeLength = 4
    /// Thousandths of a token per request.
    static let cost: UInt64 = 1000

    // The four words the packet path reads, and nothing else: the value is copied into registers
    // (not through the stack) wherever a request is admitted.
    private let slots: UnsafeMutablePointer<Slot>
    private let mask: Int
    /// Tokens per second, which is thousandths of a token per millisecond.
    private let rate: UInt64
    /// Most thousandths a bucket holds.
    private let capacity: UInt64

    /// Slots in the table (a power of two).
    public var slotCount: Int { mask + 1 }
    /// Tokens per second.
    public var perSecond: Int { Int(rate) }
    /// Most tokens a bucket holds (and a new key starts with): `max(perSecond, 1)`.
    public var burst: Int { Int(capacity / Self.cost) }

    /// A table of `slotCount` slots (rounded up to a power of two, at least ``probeLength``)
    /// refilling `perSecond` tokens per second (1…``RateLimitSettings/maximumPerSecond``).
    public init(slotCount: Int, perSecond: Int) {
        var n = Self.probeLength
        while n < slotCount { n <<= 1 }
        mask = n - 1
        rate = UInt64(perSecond)
        capacity = UInt64(max(perSecond, 1)) * Self.cost
        // Zeros are empty slots (key 0): the pages need no initialization.
        slots = ZeroedPages.allocate(byteCount: n * MemoryLayout<Slot>.stride).bindMemory(to: Slot.self, capacity: n)
    }

    /// A table of `slotCount` slots holding `old`'s buckets as they are (the same rate and burst):
    /// each key placed again from its home slot in the new size; where more keys than
    /// ``probeLength`` meet (a smaller table), the ones refilled least recently are forgotten, as
    /// on eviction. Reads every slot of `old`, which the caller frees.
    public init(slotCount: Int, carrying old: TokenBucketTable) {
        self.init(slotCount: slotCount, perSecond: Int(old.rate))
        for i in 0...old.mask where old.slots[i].key != 0 {
            place(old.slots[i])
        }
    }

    /// Puts `slot` (a bucket from another table) in the first empty slot of its probe window, or
    /// else over the one refilled least recently if `slot` was refilled more recently than it.
    private func place(_ slot: Slot) {
        var i = Self.home(slot.key, mask: mask)
        var victim = i
        var oldest: UInt32 = 0
        for _ in 0..<Self.probeLength {
            if slots[i].key == 0 {
                slots[i] = slot
                return
            }
            let age = slot.touched &- slots[i].touched
            if Int32(bitPattern: age) > 0, age >= oldest {
                oldest = age
                victim = i
            }
            i = (i + 1) & mask
        }
        if oldest > 0 { slots[victim] = slot }
    }

    /// Frees the slots (the owner, once nothing uses the table any more).
    public func deallocate() {
        ZeroedPages.deallocate(UnsafeMutableRawPointer(slots), byteCount: byteCount)
    }

    /// Bytes of the slots that are resident (for tests: a new table holds none).
    var residentByteCount: Int { ZeroedPages.residentByteCount(UnsafeMutableRawPointer(slots), byteCount: byteCount) }

    /// Bytes of memory the slots take.
    public var byteCount: Int { slotCount * MemoryLayout<Slot>.stride }

    /// How `key` is stored: with its lowest bit set, so that no key is 0, the mark of an empty
    /// slot (two keys that differ only in that bit share a bucket, as two equal hashes do).
    @inline(__always)
    static func stored(_ key: UInt64) -> UInt64 { key | 1 }

    /// The home slot of `key` (given or stored: the lowest bit, which storing sets, is not used),
    /// so that a table of another size can place a stored key again (``init(slotCount:carrying:)``).
    @inline(__always)
    static func home(_ key: UInt64, mask: Int) -> Int { Int(truncatingIfNeeded: key >> 1) & mask }

    /// Takes one token from `key`'s bucket at `now` (milliseconds). Returns the bucket's slot when
    /// the request may be answered, -1 when the bucket is empty. A key found in its home slot (a
    /// returning client) and a new key whose home slot is empty are the inlined path; probing
    /// further and eviction are out of line.
    @inline(__always)
    public func take(_ key: UInt64, now: UInt32) -> Int {
        let k = Self.stored(key)
        let home = Self.home(key, mask: mask)
        let s = slots + home
        let found = s.pointee.key
        if found == k { return refillAndTake(s, home, now) }
        if found == 0 {
            s.pointee = Slot(key: k, tokens: UInt32(truncatingIfNeeded: capacity &- Self.cost), touched: now)
            return home
        }
        return probe(k, from: home, now: now)
    }

    /// ``take(_:now:)`` for a key not in its home slot, which another key holds: the next slots,
    /// then an empty or the least recently refilled one.
    @inline(never)
    private func probe(_ k: UInt64, from home: Int, now: UInt32) -> Int {
        var i = home
        var victim = i
        var oldest: UInt32 = 0
        var probe = 0
        while probe < Self.probeLength {
            let s = slots + i
            if s.pointee.key == k { return refillAndTake(s, i, now) }
            if s.pointee.key == 0 {
                victim = i
                break
            }
            let age = now &- s.pointee.touched
            if age >= oldest {
                oldest = age
                victim = i
            }
            i = (i + 1) & mask
            probe += 1
        }
        slots[victim] = Slot(key: k, tokens: UInt32(truncatingIfNeeded: capacity - Self.cost), touched: now)
        return victim
    }

    @inline(__always)
    private func refillAndTake(_ s: UnsafeMutablePointer<Slot>, _ i: Int, _ now: UInt32) -> Int {
        let elapsed = UInt64(now &- s.pointee.touched)
        let tokens = min(UInt64(s.pointee.tokens) &+ elapsed &* rate, capacity)
        s.pointee.touched = now
        let admitted = tokens >= Self.cost
        s.pointee.tokens = UInt32(truncatingIfNeeded: admitted ? tokens &- Self.cost : tokens)
        return admitted ? i : -1
    }

    /// Gives back the token taken from `slot` (a request admitted by this table but refused by
    /// another one).
    public func refund(_ slot: Int) {
        guard slot >= 0 && slot <= mask else { return }
        slots[slot].tokens = UInt32(truncatingIfNeeded: min(UInt64(slots[slot].tokens) + Self.cost, capacity))
    }

    /// Slots holding a key (for tests and the log line at configuration).
    public var occupiedCount: Int {
        var n = 0
        for i in 0...mask where slots[i].key != 0 { n += 1 }
        return n
    }

    /// Whole tokens left in `key`'s bucket as last refilled, nil when the key is not in the table.
    public func tokens(_ key: UInt64) -> Int? {
        let k = Self.stored(key)
        var i = Self.home(key, mask: mask)
        for _ in 0..<Self.probeLength {
            if slots[i].key == k { return Int(UInt64(slots[i].tokens) / Self.cost) }
            if slots[i].key == 0 { return nil }
            i = (i + 1) & mask
        }
        return nil
    }
}
