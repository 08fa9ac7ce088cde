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
/// thread (a table's readers never share it across threads).
// @unchecked: mutable without a lock, see above.
public final class DHCPReplyOptionsCache: @unchecked Sendable {
    public static let slots = 4
    public static let keyCapacity = 255
    public static let valueCapacity = 1_500
    static let stride = keyCapacity + valueCapacity

    /// Per slot: key bytes, then value bytes; nil until the first store.
    private var memory: UnsafeMutableRawPointer?
    /// Per slot: key count (-1: empty), value count.
    private let counts: UnsafeMutablePointer<Int>
    private var next = 0

    public init() {
        counts = UnsafeMutablePointer<Int>.allocate(capacity: 2 * Self.slots)
        counts.initialize(repeating: -1, count: 2 * Self.slots)
    }

    deinit {
        memory?.deallocate()
        counts.deallocate()
    }

    /// The value stored for `key`, nil when none. Valid until the next ``store(key:value:)``.
    @inline(__always)
    public func lookup(_ key: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let memory else { return nil }
        let n = key.count
        var s = 0
        while s < Self.slots {
            if counts[2 &* s] == n {
                let slot = memory + s &* Self.stride
                if n == 0 || (key.baseAddress.map { equal(slot, $0, n) } ?? false) {
                    return UnsafeRawBufferPointer(start: slot + Self.keyCapacity, count: counts[2 &* s &+ 1])
                }
            }
            s &+= 1
        }
        return nil
    }

    @inline(__always)
    private func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        var i = 0
        while i < n {
            if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            i &+= 1
        }
        return true
    }

    private func block() -> UnsafeMutableRawPointer {
        if let memory { return memory }
        let block = UnsafeMutableRawPointer.allocate(byteCount: Self.slots * Self.stride, alignment: 16)
        memory = block
        return block
    }

    /// Keeps the answer in three pieces (DHCPv6: the configured options below 23, 24, above 26) as
    /// one value: the lengths of the first two as 16-bit numbers, then the three pieces (read back
    /// with ``pieces(_:)``).
    public func store(key: UnsafeRawBufferPointer, pieces a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer,
                      _ c: UnsafeRawBufferPointer) {
        let total = 4 + a.count + b.count + c.count
        guard key.count <= Self.keyCapacity, total <= Self.valueCapacity, lookup(key) == nil else { return }
        let s = next
        next = (next &+ 1) % Self.slots
        let slot = block() + s &* Self.stride
        if let k = key.baseAddress, key.count > 0 { slot.copyMemory(from: k, byteCount: key.count) }
        let v = slot + Self.keyCapacity
        v.storeBytes(of: UInt8(a.count >> 8), as: UInt8.self)
        (v + 1).storeBytes(of: UInt8(a.count & 0xFF), as: UInt8.self)
        (v + 2).storeBytes(of: UInt8(b.count >> 8), as: UInt8.self)
        (v + 3).storeBytes(of: UInt8(b.count & 0xFF), as: UInt8.self)
        if let from = a.baseAddress, a.count > 0 { (v + 4).copyMemory(from: from, byteCount: a.count) }
        if let from = b.baseAddress, b.count > 0 { (v + 4 + a.count).copyMemory(from: from, byteCount: b.count) }
        if let from = c.baseAddress, c.count > 0 { (v + 4 + a.count + b.count).copyMemory(from: from, byteCount: c.count) }
        counts[2 &* s] = key.count
        counts[2 &* s &+ 1] = total
    }

    /// The three pieces of a value stored with ``store(key:pieces:_:_:)``.
    @inline(__always)
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
        let s = next
        next = (next &+ 1) % Self.slots
        let slot = block() + s &* Self.stride
        if let k = key.baseAddress, key.count > 0 { slot.copyMemory(from: k, byteCount: key.count) }
        if let v = value.baseAddress, value.count > 0 { (slot + Self.keyCapacity).copyMemory(from: v, byteCount: value.count) }
        counts[2 &* s] = key.count
        counts[2 &* s &+ 1] = value.count
    }
}
