import ShadowCore
import Testing

/// ``DHCPReplyOptionsCache``: lookup by exact list, capacities, round-robin replacement.
@Suite("Reply options cache")
struct ReplyOptionsCacheUnitTests {
    static func lookup(_ cache: DHCPReplyOptionsCache, _ key: [UInt8]) -> [UInt8]? {
        key.withUnsafeBytes { cache.lookup($0).map { Array($0) } }
    }

    static func store(_ cache: DHCPReplyOptionsCache, _ key: [UInt8], _ value: [UInt8]) {
        key.withUnsafeBytes { k in value.withUnsafeBytes { v in cache.store(key: k, value: v) } }
    }

    @Test("A stored list is found by its exact bytes only; the empty list is a list")
    func exactKey() {
        let cache = DHCPReplyOptionsCache()
        defer { cache.deallocate() }
        #expect(Self.lookup(cache, []) == nil)
        Self.store(cache, [1, 3, 6], [15, 1, 0x61])
        Self.store(cache, [], [26, 2, 5, 0xD4])
        #expect(Self.lookup(cache, [1, 3, 6]) == [15, 1, 0x61])
        #expect(Self.lookup(cache, []) == [26, 2, 5, 0xD4])
        #expect(Self.lookup(cache, [1, 3]) == nil)
        #expect(Self.lookup(cache, [1, 3, 7]) == nil)
        #expect(Self.lookup(cache, [6, 3, 1]) == nil)
    }

    @Test("A list or an answer over capacity is not stored")
    func capacity() {
        let cache = DHCPReplyOptionsCache()
        defer { cache.deallocate() }
        let longKey = [UInt8](repeating: 7, count: DHCPReplyOptionsCache.keyCapacity + 1)
        Self.store(cache, longKey, [1])
        #expect(Self.lookup(cache, longKey) == nil)
        let fullKey = [UInt8](repeating: 7, count: DHCPReplyOptionsCache.keyCapacity)
        let fullValue = [UInt8](repeating: 9, count: DHCPReplyOptionsCache.valueCapacity)
        Self.store(cache, [1], fullValue + [9])
        #expect(Self.lookup(cache, [1]) == nil)
        Self.store(cache, fullKey, fullValue)
        #expect(Self.lookup(cache, fullKey) == fullValue)
    }

    @Test("Round-robin: the oldest entry goes first; storing a list already there changes nothing")
    func replacement() {
        let cache = DHCPReplyOptionsCache()
        defer { cache.deallocate() }
        let n = DHCPReplyOptionsCache.slots
        for i in 0..<n { Self.store(cache, [UInt8(i)], [UInt8(100 + i)]) }
        Self.store(cache, [0], [0xFF])
        #expect(Self.lookup(cache, [0]) == [100], "already stored: kept, nothing replaced")
        Self.store(cache, [UInt8(n)], [UInt8(100 + n)])
        #expect(Self.lookup(cache, [0]) == nil)
        for i in 1...n { #expect(Self.lookup(cache, [UInt8(i)]) == [UInt8(100 + i)]) }
        Self.store(cache, [UInt8(n + 1)], [1])
        #expect(Self.lookup(cache, [1]) == nil)
        #expect(Self.lookup(cache, [2]) == [102])
    }
}
