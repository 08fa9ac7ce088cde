import ShadowBench
import ShadowCore

/// A generated configuration directory, loaded back through ShadowCore's own loaders.
struct LoadedWorld {
    let plan: BenchPlan
    let config: ServerConfig
    let ids: ServerIdentifiers
    let snapshot: ReservationSnapshot
    let warnings: Int

    init(count: Int, keying: BenchPlan.Keying = .mac) throws {
        plan = BenchPlan(count: count, keying: keying)
        let setup = ServerSetup(v4Address: IPv4Address(198, 18, 0, 1),
                                v6Address: IPv6Address("2001:db8:ffff::1")!, stateDirectory: "/tmp/shadow-bench-test-state",
                                option82Extractors: keying == .option82 ? ["circuit_only"] : [])
        config = try ConfigurationLoader.loadConfig(BenchFiles.config(setup))
        ids = try ConfigurationLoader.loadIdentifiers(BenchFiles.identifiers(setup))
        let loaded = try ReservationLoader.load(BenchFiles.reservations(plan), subnets: config.subnetsV4)
        snapshot = ReservationSnapshot(reservations: loaded.value)
        warnings = loaded.warnings.count
    }
}

/// Runs `body` with a zeroed buffer of `count` bytes and returns the bytes it says it wrote.
func written(_ count: Int = 2048, _ body: (UnsafeMutableRawBufferPointer) -> Int) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    let n = bytes.withUnsafeMutableBytes(body)
    return Array(bytes.prefix(n))
}
