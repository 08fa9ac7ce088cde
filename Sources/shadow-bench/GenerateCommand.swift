import ArgumentParser
import ShadowBench
import ShadowCore

/// `shadow-bench generate`.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write reservations.json, config.json and ids.json for N benchmark subscribers.",
        discussion: """
        Subscriber i has MAC 02:00:xx:xx:xx:xx (i in the low 32 bits), DUID-LL of that MAC, IPv4 \
        100.64.0.2+i (subnet 100.64.0.0/10, gateway 100.64.0.1), IA_NA 2001:db8:1::(i+1) and IA_PD \
        2001:db8:8000::/33 cut into /56s. `shadow-bench load --count N` sends exactly these clients. \
        With --option82, subscriber i is keyed only by the Option 82 circuit "sub-i" (no MAC, no DUID; \
        option82_extractors ["circuit_only"]): every ACK teaches the server a MAC → Option 82 binding, \
        and DHCPv6 finds the subscriber only through it. Load it with `load --option82`.
        """)

    @Option(help: "Number of subscribers (1...4000000).") var count: Int
    @Option(help: "Directory to write (created if missing).") var out: String
    @Option(name: .customLong("server-v4"), help: "The server's IPv4 address: v4_bind_address and ids.v4.")
    var serverV4 = "127.0.0.1"
    @Option(name: .customLong("server-v6"), help: "The server's IPv6 address: v6_bind_address.") var serverV6 = "::1"
    @Option(help: "state_dir of config.json (absolute; default OUT/state).") var stateDir: String?
    @Option(help: "logging.level of config.json.") var logLevel = "warn"
    @Option(help: "user of config.json (the workers' account).") var user = "nobody"
    @Flag(help: "Key reservation i by Option 82 circuit \"sub-i\" only (bindings are learned).") var option82 = false
    @Flag(help: "Also write kea-dhcp4.json and kea-dhcp6.json (reservation-only, in-memory leases).") var kea = false
    @Option(help: "--kea: the server's interface.") var keaInterface = "lo"
    @Option(help: "--kea: the relay's IPv4 address (giaddr) selecting the subnet.") var relayV4 = "127.0.0.1"
    @Option(help: "--kea: the relay's IPv6 address (link-address) selecting the subnet.") var relayV6 = "::1"

    func validate() throws {
        guard (1...BenchPlan.maximumCount).contains(count) else {
            throw ValidationError("--count must be 1...\(BenchPlan.maximumCount)")
        }
        guard !(kea && option82) else { throw ValidationError("--kea is for the MAC-keyed plan; drop --option82") }
    }

    func run() throws {
        let directory = Generate.absolute(out)
        let setup = ServerSetup(v4Address: try Parse.ipv4(serverV4, "--server-v4"),
                                v6Address: try Parse.ipv6(serverV6, "--server-v6"),
                                stateDirectory: stateDir ?? directory + "/state", logLevel: logLevel, user: user,
                                option82Extractors: option82 ? ["circuit_only"] : [])
        let plan = BenchPlan(count: count, keying: option82 ? .option82 : .mac)
        var paths = try Generate.run(plan: plan, setup: setup, directory: directory)
        if kea {
            let keaSetup = KeaSetup(interface: keaInterface, serverV6: setup.v6Address,
                                    relayV4: try Parse.ipv4(relayV4, "--relay-v4"), relayV6: try Parse.ipv6(relayV6, "--relay-v6"))
            paths += try Generate.kea(plan: plan, setup: keaSetup, directory: directory)
        }
        for path in paths { print("wrote \(path)") }
    }
}
