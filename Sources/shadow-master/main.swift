import ArgumentParser
import ShadowMaster

/// `shadow-master`: loads the configuration directory, binds the DHCP sockets and supervises the
/// unprivileged `shadow-v4` and `shadow-v6` workers.
@main
struct ShadowMaster: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shadow-master",
        abstract: "Reservation-only DHCPv4 + DHCPv6 server for ISPs (privileged master process).",
        discussion: """
        Runtime updates: send SIGHUP to reload reservations.json, or use the management socket, e.g.
          echo '{"command":"reload"}' | nc 127.0.0.1 8547
          echo '{"command":"status"}' | nc 127.0.0.1 8547
        """)

    @Option(name: [.customLong("configdir"), .customLong("config-dir")],
            help: "Directory holding ids.json, config.json and reservations.json.")
    var configDir: String = "/etc/shadowdhcp"

    @Flag(help: "Load and validate every file, print a summary (or every problem) and exit.")
    var check = false

    @Flag(help: "List the Option 82, Option 18/37 and MAC extractor names.")
    var availableExtractors = false

    @Flag(help: "Explain config.json and ids.json.")
    var helpConfig = false

    @Flag(help: "Explain reservations.json.")
    var helpReservations = false

    @Flag(help: "Print the version.")
    var version = false

    func run() throws {
        if helpConfig { print(HelpTexts.config); return }
        if helpReservations { print(HelpTexts.reservations); return }
        if availableExtractors { print(HelpTexts.availableExtractors); return }
        if version { print(BuildInfo.versionText); return }
        if check {
            let result = ConfigCheck.run(configDirectory: configDir)
            print(result.output, terminator: "")
            throw ExitCode(result.exitCode)
        }
        throw ExitCode(MasterCommand.run(configDirectory: configDir))
    }
}
