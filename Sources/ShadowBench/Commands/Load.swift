import DHCPWireKit
import ShadowCore
import ShadowSystem
import SystemPackage

/// What `shadow-bench load` needs besides the rates.
public struct LoadTarget: Sendable {
    /// The server's address and port (67 or 547).
    public var server: SocketAddress
    /// Where the bench binds: the relay's address and port (67 / 547, or 0 for an ephemeral port
    /// announced with RFC 8357).
    public var local: SocketAddress
    /// `giaddr` (DHCPv4) or the link-address (DHCPv6).
    public var relayAddress: SocketAddress

    public init(server: SocketAddress, local: SocketAddress, relayAddress: SocketAddress) {
        self.server = server
        self.local = local
        self.relayAddress = relayAddress
    }
}

/// `shadow-bench load`: one fixed-rate run, or the search for the maximum.
public enum Load {
    /// Receive buffer of the bench's socket: several seconds of replies at the rates measured.
    static let receiveBuffer = 32 * 1024 * 1024

    /// Runs `runs` with a runner for `target`'s protocol. `body` gets a closure running one step.
    public static func withRunner<R>(plan: BenchPlan, target: LoadTarget, batch: Int,
                                     _ body: ((LoadSettings) throws(Errno) -> LoadResult) throws(Errno) -> R) throws(Errno) -> R {
        let fd = try UDPSocket.bind(target.local, receiveBufferSize: receiveBuffer)
        defer { try? fd.close() }
        let ephemeral = target.local.port == 0
        let port = ephemeral ? try UDPSocket.localAddress(of: fd).port : target.local.port
        switch target.relayAddress {
        case .v4(let giaddr, _):
            guard case .v4(let serverAddress, _) = target.server else { throw Errno.addressFamilyNotSupported }
            let relay = V4Relay(giaddr: giaddr, circuitID: "bench", sourcePortOption: ephemeral)
            let runner = LoadRunner(exchange: V4Exchange(plan: plan, relay: relay, fallbackServer: serverAddress),
                                    plan: plan, socket: fd, server: target.server, batch: batch)
            return try body { (s) throws(Errno) in try runner.run(s) }
        case .v6(let link, _):
            let relay = V6Relay(linkAddress: link, interfaceID: "bench", sourcePort: ephemeral ? port : nil)
            let runner = LoadRunner(exchange: V6Exchange(plan: plan, relay: relay), plan: plan, socket: fd,
                                    server: target.server, batch: batch)
            return try body { (s) throws(Errno) in try runner.run(s) }
        }
    }

    /// The maximum search: steps of `step` seconds, starting at `startRate`, never longer than
    /// `budget` seconds in total. Returns every step's result and the search's verdict.
    public static func findMaximum(startRate: Double, step: Double, timeout: Double, batch: Int,
                                   maximumDropPercent: Double, budget: Double,
                                   run: (LoadSettings) throws(Errno) -> LoadResult)
        throws(Errno) -> (steps: [LoadResult], search: MaximumSearch) {
        var search = MaximumSearch(startRate: startRate, maximumDropPercent: maximumDropPercent)
        var results: [LoadResult] = []
        var spent = 0.0
        while let rate = search.nextRate, spent + step + timeout <= budget {
            let result = try run(LoadSettings(rate: rate, duration: step, timeout: timeout, batch: batch))
            spent += step + timeout
            results.append(result)
            search.record(.init(rate: rate, dropPercent: result.dropPercent, generatorBound: !result.generatorKeptUp))
        }
        return (results, search)
    }
}

/// How `shadow-bench load` runs.
public enum LoadMode: Sendable {
    /// One run at a fixed rate.
    case fixed(LoadSettings)
    /// The maximum search: steps of `step` seconds from `startRate`, `budget` seconds in all.
    case maximum(startRate: Double, step: Double, timeout: Double, maximumDropPercent: Double, budget: Double)
}

extension Load {
    /// Binds, runs `mode` and returns the report.
    public static func run(plan: BenchPlan, target: LoadTarget, batch: Int, mode: LoadMode) throws(Errno) -> LoadReport {
        let name = target.server.isIPv6 ? "dhcpv6" : "dhcpv4"
        return try withRunner(plan: plan, target: target, batch: batch) { (run) throws(Errno) -> LoadReport in
            switch mode {
            case .fixed(let settings):
                return LoadReport(protocolName: name, steps: [try run(settings)], search: nil)
            case let .maximum(startRate, step, timeout, maximumDropPercent, budget):
                let found = try findMaximum(startRate: startRate, step: step, timeout: timeout, batch: batch,
                                            maximumDropPercent: maximumDropPercent, budget: budget, run: run)
                return LoadReport(protocolName: name, steps: found.steps, search: found.search)
            }
        }
    }
}
