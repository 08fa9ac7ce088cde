import DHCPWireKit

/// Byte-level mutations in the spirit of libFuzzer's: bit flips, byte sets, inserts, deletes,
/// truncation, chunk copies, splices between seeds and "interesting" 16-bit values (option
/// lengths and codes live in 16-bit big-endian fields).
struct Mutator {
    /// SplitMix64, so every run with the same seed sees the same inputs.
    var rng: SeededGenerator
    let seeds: [[UInt8]]
    static let interesting: [UInt16] = [0, 1, 2, 3, 4, 9, 12, 13, 24, 25, 33, 130, 131, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0xFFFF]

    mutating func next() -> [UInt8] {
        var data = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
        let rounds = Int.random(in: 1...6, using: &rng)
        for _ in 0..<rounds { mutate(&data) }
        return data
    }

    private mutating func index(_ data: [UInt8]) -> Int { Int.random(in: 0..<max(data.count, 1), using: &rng) }

    private mutating func mutate(_ data: inout [UInt8]) {
        if data.isEmpty { data = [UInt8.random(in: 0...255, using: &rng)]; return }
        switch Int.random(in: 0..<9, using: &rng) {
        case 0: data[index(data)] ^= 1 << UInt8.random(in: 0...7, using: &rng)
        case 1: data[index(data)] = UInt8.random(in: 0...255, using: &rng)
        case 2: data.insert(UInt8.random(in: 0...255, using: &rng), at: index(data))
        case 3: data.remove(at: index(data))
        case 4: data.removeLast(Int.random(in: 0...data.count, using: &rng))
        case 5:
            let at = index(data)
            let v = Self.interesting.randomElement(using: &rng)!
            if at + 1 < data.count { data[at] = UInt8(v >> 8); data[at + 1] = UInt8(v & 0xFF) }
        case 6:
            let from = index(data), count = Int.random(in: 1...min(64, data.count - from), using: &rng)
            data.insert(contentsOf: data[from..<(from + count)], at: index(data))
        case 7:
            let other = seeds.randomElement(using: &rng)!
            let cut = index(data), otherCut = Int.random(in: 0..<other.count, using: &rng)
            data = Array(data[..<cut]) + Array(other[otherCut...])
        default:
            // Wrap in another Relay-forward (drives the nesting limits).
            data = [12, UInt8.random(in: 0...40, using: &rng)] + [UInt8](repeating: 0, count: 32)
                + [0, 9, UInt8(data.count >> 8 & 0xFF), UInt8(data.count & 0xFF)] + data
        }
    }
}
