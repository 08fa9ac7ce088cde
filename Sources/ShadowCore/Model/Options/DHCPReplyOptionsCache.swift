/// The last few option lists a table answered in full, with the bytes it answered them with: CPEs
/// of one model ask with the same option 55 (DHCPv4) or ORO (DHCPv6) list, so a reply that finds
/// its list here copies the whole configured part in one copy instead of walking the list.
///
/// ``slots`` entries, each a key (the requested list, at most ``keyCapacity`` bytes) and a value
/// (the configured options exactly as the writer produced them, at most ``valueCapacity`` bytes),
/// in one block of 7,020 bytes allocated by the first store (a table never answered in full, or a
/// DHCPv6 cache in the DHCPv4 worker, costs 64 bytes) and freed with the table; a list or a result
/// larger than that is never stored. Replacement is round-robin. The caller stores only a result with nothing left
/// out, and uses a hit only when all of it fits the space the reply has left: then the writer
/// would have produced the same bytes, since it leaves nothing out while everything fits.
///
/// Not thread-safe: it belongs to a ``DHCPOptionTable``, which a worker uses on its one packet
/// thread (a table's readers never share it across threads). A plain value over memory the table
/// owns (no reference counting on the packet path); the table frees it (``deallocate()``).
public struct DHCPReplyOptionsCache {
    public static let slots = 4
    public static let keyCapacity = 255
    public static let valueCapacity = 1_500
    @usableFromInline static let stride = keyCapacity + valueCapacity

    /// [0]: the block's address (0 until the first store; per slot: key bytes, then value
    /// bytes); [1]: the next slot to replace; then per slot the key count (-1: empty) and the
    /// value count.
    @usableFromInline let state: UnsafeMutablePointer<Int>

    public init() {
        state = UnsafeMutablePointer<Int>.allocate(capacity: 2 + 2 * Self.slots)
        state.initialize(repeating: -1, count: 2 + 2 * Self.slots)
        state[0] = 0
        state[1] = 0
    }

    /// Frees the memory; the cache is not used after.
    public func deallocate() {
        UnsafeMutableRawPointer(bitPattern: state[0])?.deallocate()
        state.deallocate()
    }

    /// The value stored for `key`, nil when none. Valid until the next store.
    @inlinable @inline(__always)
    public func lookup(_ key: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let memory = UnsafeMutableRawPointer(bitPattern: state[0]) else { return nil }
        let n = key.count
        var s = 0
        while s < Self.slots {
            if state[2 &+ 2 &* s] == n {
                let slot = memory + s &* Self.stride
                if n == 0 || (key.baseAddress.map { Self.equal(slot, $0, n) } ?? false) {
                    return UnsafeRawBufferPointer(start: slot + Self.keyCapacity, count: state[3 &+ 2 &* s])
                }
            }
            s &+= 1
        }
        return nil
    }

    @inlinable @inline(__always)
    static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        var i = 0
        while i < n {
            if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            i &+= 1
        }
        return true
    }

    /// The slot to fill next (round-robin), its memory allocated on first use.
    private func claim() -> (slot: Int, at: UnsafeMutableRawPointer) {
        let memory: UnsafeMutableRawPointer
        if let m = UnsafeMutableRawPointer(bitPattern: state[0]) {
            memory = m
        } else {
            memory = UnsafeMutableRawPointer.allocate(byteCount: Self.slots * Self.stride, alignment: 16)
            state[0] = Int(bitPattern: memory)
        }
        let s = state[1]
        state[1] = (s &+ 1) % Self.slots
        return (s, memory + s &* Self.stride)
    }

    /// Keeps the answer in three pieces (DHCPv6: the configured options below 23, 24, above 26) as
    /// one value: the lengths of the first two as 16-bit numbers, then the three pieces (read back
    /// with ``pieces(_:)``).
    public func store(key: UnsafeRawBufferPointer, pieces a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer,
                      _ c: UnsafeRawBufferPointer) {
        let total = 4 + a.count + b.count + c.count
        guard key.count <= Self.keyCapacity, total <= Self.valueCapacity, lookup(key) == nil else { return }
        let (s, slot) = claim()
        if let k = key.baseAddress, key.count > 0 { slot.copyMemory(from: k, byteCount: key.count) }
        let v = slot + Self.keyCapacity
        v.storeBytes(of: UInt8(a.count >> 8), as: UInt8.self)
        (v + 1).storeBytes(of: UInt8(a.count & 0xFF), as: UInt8.self)
        (v + 2).storeBytes(of: UInt8(b.count >> 8), as: UInt8.self)
        (v + 3).storeBytes(of: UInt8(b.count & 0xFF), as: UInt8.self)
        if let from = a.baseAddress, a.count > 0 { (v + 4).copyMemory(from: from, byteCount: a.count) }
        if let from = b.baseAddress, b.count > 0 { (v + 4 + a.count).copyMemory(from: from, byteCount: b.count) }
        if let from = c.baseAddress, c.count > 0 { (v + 4 + a.count + b.count).copyMemory(from: from, byteCount: c.count) }
        state[2 &+ 2 &* s] = key.count
        state[3 &+ 2 &* s] = total
    }

    /// The three pieces of a value stored with ``store(key:pieces:_:_:)``.
    @inlinable @inline(__always)
    public static func pieces(_ value: UnsafeRawBufferPointer)
        -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer, UnsafeRawBufferPointer) {
        let a = Int(value[0]) << 8 | Int(value[1]), b = Int(value[2]) << 8 | Int(value[3])
        let base = value.baseAddress! + 4
        return (UnsafeRawBufferPointer(start: base, count: a), UnsafeRawBufferPointer(start: base + a, count: b),
                UnsafeRawBufferPointer(start: base + a + b, count: value.count - 4 - a - b))
    }

    /// Keeps `value` as the answer to `key`, replacing the oldest entry; does nothing when either
    /// is larger than its capacity or `key` is already stored.
    public func store(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        guard key.count <= Self.keyCapacity, value.count <= Self.valueCapacity, lookup(key) == nil else { return }
        let (s, slot) = claim()
        if let k = key.baseAddress, key.count > 0 { slot.copyMemory(from: k, byteCount: key.count) }
        if let v = value.baseAddress, value.count > 0 { (slot + Self.keyCapacity).copyMemory(from: v, byteCount: value.count) }
        state[2 &+ 2 &* s] = key.count
        state[3 &+ 2 &* s] = value.count
    }
}
