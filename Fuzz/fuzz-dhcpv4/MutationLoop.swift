import DHCPWireKit
import DHCPv4

/// The built-in fuzzer: mutates the seeds with a fixed-seed PRNG, keeps inputs that reach a new
/// outcome as further seeds, and stops at the first broken invariant.
struct MutationLoop {
    var runs: Int?
    var maxSeconds: Int?
    var seed: UInt64 = 1

    init(arguments: [String]) {
        for arg in arguments.dropFirst() {
            if let v = MutationLoop.value(arg, "-runs=") { runs = Int(v) }
            if let v = MutationLoop.value(arg, "-max_total_time=") { maxSeconds = Int(v) }
            if let v = MutationLoop.value(arg, "-seed=") { seed = UInt64(v) ?? 1 }
        }
        if runs == nil && maxSeconds == nil { maxSeconds = 3 }
    }

    private static func value(_ arg: String, _ prefix: String) -> Substring? {
        arg.hasPrefix(prefix) ? arg.dropFirst(prefix.count) : nil
    }

    /// Runs the loop; returns the process exit status.
    func run() -> Int32 {
        var mutator = Mutator(random: SeededGenerator(seed: seed))
        var corpus = FuzzWorld.seeds
        var seen = Set<String>()
        let clock = ContinuousClock()
        let deadline = maxSeconds.map { clock.now.advanced(by: .seconds($0)) }
        var executions = 0
        for input in corpus where !check(input, &seen) { return 1 }
        while runs.map({ executions < $0 }) ?? true {
            if executions % 1024 == 0, let deadline, clock.now >= deadline { break }
            let base = corpus[mutator.random.below(corpus.count)]
            let other = corpus[mutator.random.below(corpus.count)]
            let input = mutator.mutate(base, other: other)
            executions += 1
            let before = seen.count
            guard check(input, &seen) else { return 1 }
            if seen.count > before && corpus.count < 4096 { corpus.append(input) }
        }
        print("fuzz-dhcpv4: \(executions) executions, seed \(seed), corpus \(corpus.count), "
              + "\(seen.count) distinct outcomes, no invariant broken")
        return 0
    }

    /// Runs one input; false (after printing it) when an invariant broke.
    private func check(_ input: [UInt8], _ seen: inout Set<String>) -> Bool {
        let failure = input.withUnsafeBytes { Harness.run($0) }
        if let failure {
            print("fuzz-dhcpv4: invariant failed: \(failure)")
            print("input (\(input.count) bytes): " + input.map { hex($0) }.joined())
            return false
        }
        seen.insert(input.withUnsafeBytes { Coverage.signature($0) })
        return true
    }

    private func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }
}
