import ArgumentParser

/// shadow-bench: load generator and probe acting as a DHCPv4 / DHCPv6 relay (docs/performance.md).
@main
struct ShadowBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shadow-bench",
        abstract: "Load generator and reservation probe for shadowdhcp, acting as a DHCP relay.",
        subcommands: [GenerateCommand.self, LoadCommand.self, ProbeCommand.self])
}
