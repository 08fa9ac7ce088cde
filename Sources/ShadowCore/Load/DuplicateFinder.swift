/// Finds repeated keys in a large array without copying the keys.
///
/// The entries' hashes are first scattered into 256 partitions by their top bits (sequential
/// writes), then each partition is checked with a small open-addressing table of entry indexes
/// tagged with hash bits, which stays in cache. The entries themselves are only read again when
/// two hashes agree. Memory: 16 bytes per keyed entry plus one small table.
struct DuplicateFinder {
    private static let partitionBits = 8

    /// For every entry whose key (when it has one) equals an earlier entry's, calls
    /// `report(later, first)` with the two indexes, in ascending order of `later`.
    static func find<K: Equatable>(count: Int, key: (Int) -> K?, hash: (K) -> UInt64,
                                   report: (Int, Int) -> Void) {
        let partitions = 1 << partitionBits
        let shift = UInt64(64 - partitionBits)
        var starts = [Int](repeating: 0, count: partitions + 1)
        for i in 0..<count {
            if let k = key(i) { starts[Int(hash(k) >> shift) + 1] += 1 }
        }
        for p in 0..<partitions { starts[p + 1] += starts[p] }
        let keyed = starts[partitions]
        guard keyed > 1 else { return }
        // Second pass (hashing again costs less than keeping every hash): scatter low hash bits
        // and indexes, in index order within each partition.
        var fill = starts
        var entries = [Entry](repeating: Entry(tag: 0, index: 0), count: keyed)
        for i in 0..<count {
            guard let k = key(i) else { continue }
            let h = hash(k)
            let p = Int(h >> shift)
            entries[fill[p]] = Entry(tag: UInt32(truncatingIfNeeded: h), index: Int32(i))
            fill[p] += 1
        }
        var found: [(Int, Int)] = []
        entries.withUnsafeBufferPointer { all in
            for p in 0..<partitions where starts[p + 1] - starts[p] > 1 {
                let part = UnsafeBufferPointer(rebasing: all[starts[p]..<starts[p + 1]])
                checkPartition(part, key: key) { found.append(($0, $1)) }
            }
        }
        found.sort { $0.0 < $1.0 }
        for (later, first) in found { report(later, first) }
    }

    /// Low 32 bits of an entry's hash and its index.
    private struct Entry {
        var tag: UInt32
        var index: Int32
    }

    /// One partition (entries in ascending index order): an open-addressing table of positions.
    private static func checkPartition<K: Equatable>(_ part: UnsafeBufferPointer<Entry>,
                                                     key: (Int) -> K?, report: (Int, Int) -> Void) {
        var capacity = 16
        while capacity < part.count * 2 { capacity <<= 1 }
        let mask = capacity - 1
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: capacity) { slots in
            slots.initialize(repeating: -1)
            for (position, e) in part.enumerated() {
                var s = Int(e.tag) & mask
                while true {
                    let other = Int(slots[s])
                    if other < 0 {
                        slots[s] = Int32(position)
                        break
                    }
                    if part[other].tag == e.tag, let k = key(Int(e.index)), key(Int(part[other].index)) == k {
                        report(Int(e.index), Int(part[other].index))
                        break
                    }
                    s = (s + 1) & mask
                }
            }
        }
    }
}
