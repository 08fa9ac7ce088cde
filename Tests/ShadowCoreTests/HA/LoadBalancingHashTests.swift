import Testing
@testable import ShadowCore

/// RFC 3074 §6: the mixing table and the Pearson hash, on keys worked through by hand.
@Suite("HA: RFC 3074 load-balancing hash")
struct LoadBalancingHashTests {
    @Test("The mixing table holds each byte value once")
    func tableIsAPermutation() {
        #expect(LoadBalancingHash.mixingTable.count == 256)
        #expect(Set(LoadBalancingHash.mixingTable).count == 256)
        // Spot checks against the RFC's listing: first, last and a few in between.
        #expect(LoadBalancingHash.mixingTable[0] == 251)
        #expect(LoadBalancingHash.mixingTable[14] == 0)
        #expect(LoadBalancingHash.mixingTable[250] == 170)
        #expect(LoadBalancingHash.mixingTable[255] == 151)
    }

    // Worked by hand: the hash starts at the key length and mixes bytes from the last to the first,
    // h = T[h ^ byte].
    @Test("Hashes worked by hand", arguments: [
        ([UInt8](), UInt8(0)),                              // no byte: the length, 0
        ([0x00], 175),                                      // T[1 ^ 0] = T[1]
        ([0x01], 251),                                      // T[1 ^ 1] = T[0]
        ([0x01, 0x02], 170),                                // T[2 ^ 2] = 251, T[251 ^ 1] = T[250]
        // MAC 00:11:22:33:44:55: h = 6; T[6^0x55=83] = 204; T[204^0x44=136] = 168;
        // T[168^0x33=155] = 146; T[146^0x22=176] = 137; T[137^0x11=152] = 217; T[217^0] = 135.
        ([0x00, 0x11, 0x22, 0x33, 0x44, 0x55], 135),
    ] as [([UInt8], UInt8)])
    func handWorked(key: [UInt8], expected: UInt8) {
        #expect(LoadBalancingHash.hash(key) == expected)
        #expect(LoadBalancingHash.hash(key[...].map { $0 }) == expected)
    }

    @Test("The hash picks server hash mod n")
    func buckets() {
        let mac: [UInt8] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55]
        #expect(LoadBalancingHash.server(for: mac, serverCount: 1) == 0)
        #expect(LoadBalancingHash.server(for: mac, serverCount: 2) == 1)   // 135 % 2
        #expect(LoadBalancingHash.server(for: mac, serverCount: 3) == 0)   // 135 % 3
        #expect(LoadBalancingHash.server(for: [0x01, 0x02], serverCount: 4) == 2)   // 170 % 4
    }

    @Test("Two servers split 10,000 MACs roughly in half")
    func spread() {
        var counts = [0, 0]
        var mac: [UInt8] = [0x02, 0, 0, 0, 0, 0]
        for i in 0..<10_000 {
            mac[4] = UInt8(i >> 8); mac[5] = UInt8(i & 0xFF)
            counts[LoadBalancingHash.server(for: mac, serverCount: 2)] += 1
        }
        #expect(counts.allSatisfy { (4_000...6_000).contains($0) }, "\(counts)")
    }
}
