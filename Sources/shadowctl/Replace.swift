import ArgumentParser
import ShadowCore
import ShadowOperations

import ShadowSystem

/// `shadowctl replace FILE`: validates a reservations file locally, then sends it.
struct Replace: RequestCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace every reservation with FILE (persisted by the server, then swapped in).",
        discussion: """
            FILE is checked first with the server's own validation, against subnets_v4 of the \
            config.json given by --config or found in --configdir; every error is printed and \
            nothing is sent. --no-local-check sends the file unchecked (the server still validates it). \
            --dry-run applies nothing: it is `shadowctl diff FILE` (the local check runs only with \
            --config or --configdir).
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "A reservations.json file.") var file: String
    @Option(help: "config.json whose subnets_v4 the file is checked against.") var config: String?
    @Option(help: "Directory holding config.json (as shadow-master --configdir).") var configdir: String?
    @Flag(help: "Skip the local validation.") var noLocalCheck = false
    @Flag(help: "Apply nothing: show what would change (the `diff` command).") var dryRun = false

    /// A large file's upload shows its progress on a terminal.
    var progressLabel: String? { file }

    func validate() throws {
        if config != nil && configdir != nil { throw ValidationError("give either --config or --configdir, not both") }
        if !noLocalCheck && !dryRun && config == nil && configdir == nil {
            throw ValidationError("replace checks FILE locally: give --config FILE or --configdir DIR (or --no-local-check)")
        }
    }

    func request() throws -> [UInt8] {
        let bytes = try readFile(file)
        if !noLocalCheck && (!dryRun || config != nil || configdir != nil) { try check(bytes) }
        return ManagementClient.setRequest(dryRun ? "diff" : "replace", fileBytes: bytes)
    }

    /// Loads FILE as the server will; prints every error and stops on any.
    private func check(_ bytes: [UInt8]) throws {
        let configPath = config ?? ((configdir ?? ".") + "/config.json")
        let config: ServerConfig
        do {
            config = try ConfigurationLoader.loadConfig(try readFile(configPath), fileName: configPath)
        } catch let e as LoadError {
            printError(e.description)
            throw ExitCode(1)
        }
        do {
            let loaded = try ReservationLoader.load(bytes, subnets: config.subnetsV4, source: file,
                                                    msClasslessRoutes: config.msClasslessRoutes)
            for line in loaded.warnings.lines { printError("warning: \(line)") }
        } catch {
            for line in error.errors.lines { printError(line) }
            printError("shadowctl: \(file) is invalid (\(error.errors.count) error\(error.errors.count == 1 ? "" : "s")); nothing sent")
            throw ExitCode(1)
        }
    }
}

/// The whole file, or a usage-style failure naming it.
func readFile(_ path: String) throws -> [UInt8] {
    do { return try FileSystem.contents(of: path) } catch {
        printError("shadowctl: cannot read \(path): \(error)")
        throw ExitCode(1)
    }
}

/// Writes a line to standard error.
func printError(_ line: String) {
    StandardError.write(line + "\n")
}
