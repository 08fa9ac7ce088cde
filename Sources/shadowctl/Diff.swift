import ArgumentParser
import ShadowOperations

/// `shadowctl diff FILE`: what `replace FILE` would change, applying nothing.
struct Diff: RequestCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what replacing every reservation with FILE would change, without applying it.",
        discussion: """
            The server validates FILE exactly as replace does (the same errors) and compares it with \
            the live reservations, matching entries by their keys (mac, duid, option82, option1837): \
            counts and the first 50 added, removed and changed entries (the fields that differ), and \
            the addresses that move to another subscriber. Exit status 0 when FILE is valid, 1 when not. \
            The same as `shadowctl replace --dry-run FILE`.
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "A reservations.json file.") var file: String

    var progressLabel: String? { file }

    func request() throws -> [UInt8] {
        ManagementClient.setRequest("diff", fileBytes: try readFile(file))
    }
}
