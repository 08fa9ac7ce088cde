import DHCPWireKit

/// Mutations in the spirit of libFuzzer's: byte edits, inserts, deletes, interesting values,
/// length-byte tweaks in the option area, splices and truncation.
struct Mutator {
    static let maxLength = 1500
    private static let interesting: [UInt8] = [0, 1, 2, 4, 6, 16, 17, 52, 53, 54, 82, 127, 128, 254, 255]

    /// SplitMix64, so a run with a given seed repeats exactly.
    var random: SeededGenerator

    mutating func mutate(_ input: [UInt8], other: [UInt8]) -> [UInt8] {
        var data = input
        for _ in 0..<(1 + random.below(4)) { step(&data, other: other) }
        if data.count > Mutator.maxLength { data.removeLast(data.count - Mutator.maxLength) }
        return data
    }

    private mutating func step(_ data: inout [UInt8], other: [UInt8]) {
        let at = data.isEmpty ? 0 : pick(data.count)
        switch random.below(9) {
        case 0 where !data.isEmpty: data[at] ^= 1 << UInt8(random.below(8))
        case 1 where !data.isEmpty: data[at] = random.byte()
        case 2 where !data.isEmpty: data[at] = Mutator.interesting[random.below(Mutator.interesting.count)]
        case 3: data.insert(random.byte(), at: min(at, data.count))
        case 4 where !data.isEmpty: data.removeSubrange(at..<min(data.count, at + 1 + random.below(8)))
        case 5 where !data.isEmpty: data.removeLast(random.below(min(data.count, 64)) + 1)
        case 6 where !other.isEmpty:
            let from = random.below(other.count)
            let chunk = other[from..<min(other.count, from + 1 + random.below(32))]
            data.insert(contentsOf: chunk, at: min(at, data.count))
        case 7 where !data.isEmpty:
            let end = min(data.count, at + 1 + random.below(16))
            data.insert(contentsOf: Array(data[at..<end]), at: at)
        default:
            data.append(contentsOf: [Mutator.interesting[random.below(Mutator.interesting.count)], random.byte()])
        }
    }

    /// A position, biased towards the option area (offset 240 and on), where most logic lives.
    private mutating func pick(_ count: Int) -> Int {
        if count > 240 && random.below(4) != 0 { return 240 + random.below(count - 240) }
        return random.below(count)
    }
}
