/// MAC → Option 82 bindings learned from DHCPv4 ACKs, used to serve Option-82-keyed subscribers
/// over DHCPv6 (docs/dhcpv6.md, docs/operations.md, "State").
///
/// Bounded: when full, the binding learned or refreshed longest ago is evicted first.
public struct BindingTable: Sendable {
    public struct Entry: Hashable, Sendable {
        public var option82: Option82
        /// Seconds since the Unix epoch when this binding was last learned or refreshed.
        public var lastSeen: UInt64
        public init(option82: Option82, lastSeen: UInt64) {
            self.option82 = option82
            self.lastSeen = lastSeen
        }
    }

    public let capacity: Int
    private var entries: [MACAddress: Slot] = [:]
    /// Insertion order for eviction; stale positions (refreshed since) are skipped lazily.
    private var order: [(mac: MACAddress, sequence: UInt64)] = []
    private var orderStart = 0
    private var nextSequence: UInt64 = 0

    private struct Slot: Sendable {
        var entry: Entry
        var sequence: UInt64
    }

    public init(capacity: Int = 1_000_000) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    public func option82(for mac: MACAddress) -> Option82? { entries[mac]?.entry.option82 }
    public func entry(for mac: MACAddress) -> Entry? { entries[mac]?.entry }

    /// Records or refreshes a binding. Returns true when the stored Option 82 changed (new or different).
    @discardableResult
    public mutating func learn(mac: MACAddress, option82: Option82, now: UInt64) -> Bool {
        let changed = entries[mac]?.entry.option82 != option82
        let seq = nextSequence
        nextSequence += 1
        entries[mac] = Slot(entry: Entry(option82: option82, lastSeen: now), sequence: seq)
        order.append((mac, seq))
        while entries.count > capacity { evictOldest() }
        compactIfNeeded()
        return changed
    }

    /// Merges a binding learned elsewhere (a peer's update or full table, docs/high-availability.md):
    /// the newer `lastSeen` wins. On a tie the Option 82 that sorts first (circuit, remote,
    /// subscriber, byte order, absent first) wins, so that two servers merging each other's tables
    /// settle on the same binding. Returns true when `entry` was stored.
    @discardableResult
    public mutating func merge(mac: MACAddress, _ entry: Entry) -> Bool {
        if let held = entries[mac]?.entry {
            if held.lastSeen > entry.lastSeen || held.option82 == entry.option82 && held.lastSeen == entry.lastSeen {
                return false
            }
            if held.lastSeen == entry.lastSeen && !BindingTable.sortsFirst(entry.option82, held.option82) {
                return false
            }
        }
        learn(mac: mac, option82: entry.option82, now: entry.lastSeen)
        return true
    }

    static func sortsFirst(_ a: Option82, _ b: Option82) -> Bool {
        for (x, y) in [(a.circuit, b.circuit), (a.remote, b.remote), (a.subscriber, b.subscriber)] where x != y {
            guard let x else { return true }
            guard let y else { return false }
            return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
        }
        return false
    }

    @discardableResult
    public mutating func remove(mac: MACAddress) -> Entry? { entries.removeValue(forKey: mac)?.entry }

    /// All bindings, oldest first.
    public var entriesOldestFirst: [(mac: MACAddress, entry: Entry)] {
        order[orderStart...].compactMap { item in
            guard let slot = entries[item.mac], slot.sequence == item.sequence else { return nil }
            return (item.mac, slot.entry)
        }
    }

    private mutating func evictOldest() {
        while orderStart < order.count {
            let item = order[orderStart]
            orderStart += 1
            if let slot = entries[item.mac], slot.sequence == item.sequence {
                entries.removeValue(forKey: item.mac)
                return
            }
        }
    }

    private mutating func compactIfNeeded() {
        guard order.count - orderStart > 2 * entries.count + 1024 || orderStart > order.count / 2 + 1024
        else { return }
        order = order[orderStart...].filter { entries[$0.mac]?.sequence == $0.sequence }
        orderStart = 0
    }
}
