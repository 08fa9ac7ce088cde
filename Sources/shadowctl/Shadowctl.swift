import ArgumentParser
import ShadowCore
import ShadowOperations

/// `shadowctl`: the command-line client of the master's management interface.
@main
struct Shadowctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shadowctl",
        abstract: "Talk to a running shadow-master over its management interface.",
        discussion: """
            Connects to --address (default 127.0.0.1:8547) or --socket PATH, sends one request and \
            prints the response: readable by default, the raw response line with --json. \
            Exit status: 0 success, 1 the server answered success:false, 3 no answer (cannot connect, \
            timeout), 64 usage error.
            """,
        subcommands: [Status.self, Reload.self, Replace.self, Workers.self, Stats.self, Lookup.self,
                      Bindings.self, Version.self, ReservationCommand.self, ReservationsCommand.self])
}

/// Where to connect and how to print; shared by every subcommand.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Management TCP address (mgmt_address).")
    var address: String?

    @Option(help: "Management Unix socket path (mgmt_socket).")
    var socket: String?

    @Flag(help: "Print the raw response line.")
    var json = false

    @Option(help: "Seconds to wait for the response.")
    var timeout: Int = 300

    func validate() throws {
        if address != nil && socket != nil { throw ValidationError("give either --address or --socket, not both") }
        if let address, ShadowCore.SocketAddress(address) == nil {
            throw ValidationError("--address must be ip:port or [ipv6]:port, got \(address)")
        }
    }

    var endpoint: ManagementClient.Endpoint {
        if let socket { return .unix(socket) }
        return .tcp(ShadowCore.SocketAddress(address ?? "127.0.0.1:8547")!)
    }
}

/// A subcommand that sends one JSON request.
protocol RequestCommand: AsyncParsableCommand {
    var connection: ConnectionOptions { get }
    /// The request line to send.
    func request() throws -> [UInt8]
}

extension RequestCommand {
    func run() async throws {
        let line = try request()
        let client = ManagementClient(endpoint: connection.endpoint, timeout: .seconds(Int64(connection.timeout)))
        let response: String
        do {
            response = try await client.send(line)
        } catch {
            printError("shadowctl: \(error)")
            throw ExitCode(3)
        }
        let success = ResponsePrinter.print(response, raw: connection.json)
        if !success { throw ExitCode(1) }
    }
}

/// `{"command":"<name>"}` as bytes.
func simpleRequest(_ command: String) -> [UInt8] {
    var w = JSONWriter()
    w.beginObject()
    w.field("command", command)
    w.endObject()
    return Array(w.text.utf8)
}
