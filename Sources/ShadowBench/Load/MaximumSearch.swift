/// Finds the highest rate the server sustains: doubles the offered rate while a step passes (drop
/// at most `maximumDropPercent` and the generator kept up), then bisects between the last passing
/// and the first failing rate. A step where the generator could not begin the exchanges asked for
/// counts as failing (it says nothing about the server) and is remembered in ``generatorBound``.
/// Pure logic: the caller runs each step and reports its result.
public struct MaximumSearch: Sendable {
    /// What a step did, as far as the search is concerned.
    public struct Step: Sendable, Hashable {
        public var rate: Double
        public var dropPercent: Double
        /// The generator began fewer exchanges than asked: the figure is the generator's, not the server's.
        public var generatorBound: Bool
        public init(rate: Double, dropPercent: Double, generatorBound: Bool) {
            self.rate = rate
            self.dropPercent = dropPercent
            self.generatorBound = generatorBound
        }
    }

    public let maximumDropPercent: Double
    /// Bisection stops when the gap between pass and fail is at most this share of the passing rate.
    public let precision: Double
    public let maximumSteps: Int
    /// Highest rate that passed.
    public private(set) var best: Double?
    /// Lowest rate that failed.
    public private(set) var failed: Double?
    /// Whether some step was limited by the generator, not the server: results near
    /// ``generatorLimit`` are the bench's ceiling.
    public private(set) var generatorBound = false
    /// The lowest rate the generator could not keep up with.
    public private(set) var generatorLimit: Double?
    public private(set) var steps = 0
    private var current: Double

    public init(startRate: Double, maximumDropPercent: Double = 1, precision: Double = 0.05, maximumSteps: Int = 12) {
        precondition(startRate > 0 && maximumSteps > 0)
        current = startRate
        self.maximumDropPercent = maximumDropPercent
        self.precision = precision
        self.maximumSteps = maximumSteps
    }

    /// The rate to run next, or nil when the search is over.
    public var nextRate: Double? { steps < maximumSteps ? current : nil }

    /// Records the step just run at ``nextRate`` and chooses the next rate.
    public mutating func record(_ step: Step) {
        steps += 1
        if step.generatorBound {
            generatorBound = true
            generatorLimit = min(generatorLimit ?? .infinity, step.rate)
            failed = min(failed ?? .infinity, step.rate)
        } else if step.dropPercent <= maximumDropPercent {
            best = max(best ?? 0, step.rate)
        } else {
            failed = min(failed ?? .infinity, step.rate)
        }
        guard let failed else { current = step.rate * 2; return }
        let low = best ?? 0
        if low > 0 && (failed - low) / low <= precision { steps = maximumSteps; return }
        current = low > 0 ? (low + failed) / 2 : failed / 2
    }
}
