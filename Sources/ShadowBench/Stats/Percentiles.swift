import DHCPWireKit

/// Latency percentiles by the nearest-rank method: the p-th percentile of n sorted samples is the
/// sample at rank ⌈p/100 · n⌉ (1-based), so every reported value is one that was measured.
public struct Percentiles: Sendable, Hashable {
    public var count: Int
    public var p50: UInt64
    public var p90: UInt64
    public var p99: UInt64
    public var max: UInt64

    /// Sorts `samples` in place and reads the percentiles; nil when there are none.
    public init?(sorting samples: inout [UInt64]) {
        guard !samples.isEmpty else { return nil }
        samples.sort()
        count = samples.count
        p50 = Percentiles.rank(50, samples)
        p90 = Percentiles.rank(90, samples)
        p99 = Percentiles.rank(99, samples)
        max = samples[samples.count - 1]
    }

    /// The nearest-rank `percent`-th percentile of sorted, non-empty `sorted`.
    public static func rank(_ percent: Int, _ sorted: [UInt64]) -> UInt64 {
        precondition(!sorted.isEmpty && (0...100).contains(percent))
        let n = sorted.count
        let r = (percent * n + 99) / 100          // ⌈percent · n / 100⌉
        return sorted[Swift.max(r, 1) - 1]
    }
}

/// Keeps at most `capacity` latency samples: every sample until full, then a uniform random subset
/// (reservoir sampling, Algorithm R) so memory stays bounded in long runs.
public struct LatencyRecorder: Sendable {
    public let capacity: Int
    public private(set) var samples: [UInt64] = []
    /// Every sample offered, kept or not.
    public private(set) var seen = 0
    /// Deterministic, so two runs keep the same subset of the same sequence.
    private var random = SeededGenerator(seed: 0x9E37_79B9_7F4A_7C15)

    public init(capacity: Int = 1 << 22) {
        precondition(capacity > 0)
        self.capacity = capacity
        samples.reserveCapacity(Swift.min(capacity, 1 << 16))
    }

    public mutating func record(_ nanoseconds: UInt64) {
        seen += 1
        if samples.count < capacity { samples.append(nanoseconds); return }
        let j = random.below(seen)
        if j < capacity { samples[j] = nanoseconds }
    }

    /// The percentiles of what was kept.
    public func percentiles() -> Percentiles? {
        var copy = samples
        return Percentiles(sorting: &copy)
    }
}
