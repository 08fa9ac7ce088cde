import ArgumentParser
import ShadowBench
import ShadowCore

/// `shadow-bench load`.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Run DORA (DHCPv4) or SARR (DHCPv6) exchanges as a relay, open loop at a fixed rate or searching the maximum.",
        discussion: """
        The server answers a relay at giaddr:67 (DHCPv4) and at the Relay-forward's source on 547 \
        (DHCPv6), so by default the bench binds --bind on port 67 / 547 (root) with giaddr = --bind. \
        --port 0 binds an ephemeral port and asks for replies there with RFC 8357 (sub-option 19 / option 135).
        """)

    @Flag(help: "DHCPv6 (SARR through Relay-forward) instead of DHCPv4 (DORA).") var v6 = false
    @Option(help: "Server address (port 67 / 547).") var server: String
    @Option(help: "Server port (default 67 / 547).") var serverPort: UInt16?
    @Option(help: "Local address to bind; also giaddr (v4) or link-address (v6) unless given.") var bind: String
    @Option(help: "Local port: default 67 (v4) / 547 (v6); 0 for ephemeral with RFC 8357.") var port: UInt16?
    @Option(help: "giaddr (v4) or link-address (v6), if not --bind.") var relayAddress: String?
    @Option(help: "Subscribers generated with `generate --count`.") var count: Int
    @Flag(help: "The plan of `generate --option82`: DHCPv4 requests carry circuit \"sub-i\".") var option82 = false
    @Option(help: "Exchanges begun per second (fixed-rate run).") var rate: Double = 1000
    @Option(help: "Seconds of sending (at most 600); in --max mode the total budget.") var duration: Double = 5
    @Option(help: "Seconds before an exchange counts as dropped.") var timeout: Double = 1
    @Option(help: "Datagrams per sendmmsg / recvmmsg.") var batch: Int = 64
    @Flag(help: "Search the highest rate with at most --max-drop % dropped.") var max = false
    @Option(help: "--max: first rate.") var startRate: Double = 5000
    @Option(help: "--max: seconds per step.") var step: Double = 3
    @Option(help: "--max: highest acceptable drop, percent.") var maxDrop: Double = 1
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard duration > 0 && duration <= 600 else { throw ValidationError("--duration must be in (0, 600]") }
        guard timeout > 0 && timeout <= 10 else { throw ValidationError("--timeout must be in (0, 10]") }
        guard rate > 0 && rate <= 10_000_000, startRate > 0 else { throw ValidationError("rates must be positive") }
        guard (1...1024).contains(batch) else { throw ValidationError("--batch must be 1...1024") }
        guard (1...BenchPlan.maximumCount).contains(count) else { throw ValidationError("--count must be 1...\(BenchPlan.maximumCount)") }
    }

    func target() throws -> LoadTarget {
        let relayText = relayAddress ?? bind
        if v6 {
            return LoadTarget(server: .v6(try Parse.ipv6(server, "--server"), port: serverPort ?? 547),
                              local: .v6(try Parse.ipv6(bind, "--bind"), port: port ?? 547),
                              relayAddress: .v6(try Parse.ipv6(relayText, "--relay-address"), port: 0))
        }
        return LoadTarget(server: .v4(try Parse.ipv4(server, "--server"), port: serverPort ?? 67),
                          local: .v4(try Parse.ipv4(bind, "--bind"), port: port ?? 67),
                          relayAddress: .v4(try Parse.ipv4(relayText, "--relay-address"), port: 0))
    }

    func run() throws {
        let mode: LoadMode = max
            ? .maximum(startRate: startRate, step: step, timeout: timeout, maximumDropPercent: maxDrop, budget: duration)
            : .fixed(LoadSettings(rate: rate, duration: duration, timeout: timeout, batch: batch))
        let report = try Load.run(plan: BenchPlan(count: count, keying: option82 ? .option82 : .mac), target: try target(), batch: batch, mode: mode)
        print(json ? report.json : report.text)
    }
}
