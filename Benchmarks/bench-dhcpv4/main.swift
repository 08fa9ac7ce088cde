// bench-dhcpv4: decode + decide + encode time per relayed DHCPv4 packet over 1,000,000 reservations.
//
//   swift build -c release --product bench-dhcpv4 && .build/release/bench-dhcpv4 [iterations [distinct [reservations]]]
// (default 2,000,000 iterations, 4,096 distinct subscribers, 1,000,000 reservations).
#if canImport(Glibc)
#endif
import DHCPv4
import ShadowCore
import ShadowSystem

let iterations = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 2_000_000
let clock = ContinuousClock()

var world: BenchWorld?
let buildTime = clock.measure { world = BenchWorld(count: Int(CommandLine.arguments.dropFirst(3).first ?? "") ?? 1_000_000) }
let w = world!
print("snapshot: \(w.snapshot.count) reservations, \(w.snapshot.keyCount) keys, built in \(buildTime)")

for scenario in Scenario.allCases {
    let packets = w.packets(scenario, distinct: Int(CommandLine.arguments.dropFirst(2).first ?? "") ?? 4096)
    _ = w.run(packets, iterations: iterations / 10)   // warm up
    var checksum = 0
    let cpuStart = threadCPUNanoseconds()
    let elapsed = clock.measure { checksum = w.run(packets, iterations: iterations) }
    let cpu = Double(threadCPUNanoseconds() - cpuStart) / Double(iterations)
    let wall = (Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9)
        / Double(iterations)
    print("\(scenario.rawValue): \(oneDecimal(wall)) ns/packet wall, \(oneDecimal(cpu)) ns/packet CPU, "
          + "\(iterations) packets (checksum \(checksum))")
}

/// CPU time of this thread: unlike wall time, not inflated when other processes share the cores.
func threadCPUNanoseconds() -> Int64 { Int64(Clocks.threadCPUNanoseconds()) }

func oneDecimal(_ x: Double) -> String { String(Double(Int(x * 10)) / 10) }
