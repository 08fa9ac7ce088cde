import DHCPWireKit

/// The libFuzzer-free driver: mutates the seeds with a fixed-seed PRNG until a run or time budget
/// is spent. Exits non-zero (printing the input in hex) on the first broken invariant.
enum MutationLoop {
    static func main(arguments: [String], target: inout FuzzTarget) -> Int32 {
        var runs = Int.max, seconds = 3.0, seed: UInt64 = 0x5EED_D6C6
        for arg in arguments.dropFirst() {
            if let v = value(arg, "-runs=") { runs = Int(v) ?? runs }
            else if let v = value(arg, "-max_total_time=") { seconds = Double(v) ?? seconds }
            else if let v = value(arg, "-seed=") { seed = UInt64(v) ?? seed }
            else { print("usage: fuzz-dhcpv6 [-runs=N] [-max_total_time=S] [-seed=N]"); return 2 }
        }
        let seeds = Seeds.all
        for s in seeds {
            if let problem = s.withUnsafeBytes({ target.run($0) }) { return fail(problem, s) }
        }
        var mutator = Mutator(rng: SeededGenerator(seed: seed), seeds: seeds)
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int64(seconds * 1000))
        var done = 0
        while done < runs {
            if done % 1024 == 0 && clock.now >= deadline { break }
            let input = mutator.next()
            if let problem = input.withUnsafeBytes({ target.run($0) }) { return fail(problem, input) }
            done += 1
        }
        print("fuzz-dhcpv6: \(done) mutated inputs (seed \(seed)), all invariants held")
        return 0
    }

    private static func value(_ arg: String, _ prefix: String) -> String? {
        arg.hasPrefix(prefix) ? String(arg.dropFirst(prefix.count)) : nil
    }

    private static func fail(_ problem: String, _ input: [UInt8]) -> Int32 {
        let hex = input.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        print("fuzz-dhcpv6: invariant broken: \(problem)\ninput: \(hex)")
        return 1
    }
}
