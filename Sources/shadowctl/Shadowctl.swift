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
            Connects to --address or --socket PATH, sends one request and prints the response: readable \
            by default, the raw response line with --json. Without either, it uses mgmt_socket of \
            config.json in $SHADOWCTL_CONFIGDIR (default /etc/shadowdhcp) when that socket is there and \
            this user may connect to it, else that file's mgmt_address, else 127.0.0.1:8547. \
            --token-file (or $SHADOWCTL_TOKEN_FILE) sends the token it holds with the request; a token is \
            never sent over plain TCP to an address that is not loopback. \
            Exit status: 0 success, 1 the server answered success:false, 3 no answer (cannot connect, \
            timeout), 64 usage error.
            """,
        subcommands: [Status.self, Reload.self, Replace.self, Workers.self, Stats.self, Lookup.self, Online.self,
                      Bindings.self, Peers.self, Version.self, Token.self, HAKey.self, ReservationCommand.self,
                      ReservationsCommand.self, Diff.self, Explain.self])
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

    @Option(help: ArgumentHelp("File holding a management token, sent with the request (or $SHADOWCTL_TOKEN_FILE).",
                               valueName: "PATH"))
    var tokenFile: String?

    @Option(help: ArgumentHelp("CA certificate (PEM) that signed the server's certificate: connect with TLS "
                               + "(mgmt_tls). The certificate must name the --address IP in its subjectAltName.",
                               valueName: "PATH"))
    var tlsCa: String?

    @Option(help: ArgumentHelp("Client certificate (PEM), for a server with mgmt_tls.client_ca_file.", valueName: "PATH"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("The client certificate's private key (PEM).", valueName: "PATH"))
    var tlsKey: String?

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("give --tls-cert and --tls-key together") }
        if tlsCert != nil && tlsCa == nil { throw ValidationError("--tls-cert needs --tls-ca") }
        if tlsCa != nil && socket != nil { throw ValidationError("the Unix socket never uses TLS: drop --tls-ca") }
        if address != nil && socket != nil { throw ValidationError("give either --address or --socket, not both") }
        if let address, ShadowCore.SocketAddress(address) == nil {
            throw ValidationError("--address must be ip:port or [ipv6]:port, got \(address)")
        }
    }

    /// --socket, --address, else what config.json configures (the socket first, when usable).
    var endpoint: ManagementClient.Endpoint {
        if let socket { return .unix(socket) }
        if let address { return .tcp(ShadowCore.SocketAddress(address)!) }
        return EndpointDefaults.configured()
    }

    /// --tls-ca, --tls-cert and --tls-key, read.
    func tls() throws -> ManagementClient.TLS? {
        guard let tlsCa else { return nil }
        return ManagementClient.TLS(caPEM: try readFile(tlsCa), certificatePEM: try tlsCert.map { try readFile($0) },
                                    keyPEM: try tlsKey.map { try readFile($0) })
    }

    /// The token of --token-file or $SHADOWCTL_TOKEN_FILE (surrounding white space removed).
    func token() throws -> String? {
        guard let path = tokenFile ?? environment("SHADOWCTL_TOKEN_FILE"), !path.isEmpty else { return nil }
        let text = String(decoding: try readFile(path), as: UTF8.self)
        let token = text.trimmingWhiteSpace()
        guard !token.isEmpty else {
            printError("shadowctl: \(path) holds no token")
            throw ExitCode(64)
        }
        return token
    }
}

/// A subcommand that sends one JSON request.
protocol RequestCommand: AsyncParsableCommand {
    var connection: ConnectionOptions { get }
    /// The request line to send.
    func request() throws -> [UInt8]
    /// What a large request's upload progress names (docs/management.md); nil: no progress.
    var progressLabel: String? { get }
    /// Prints a successful response's fields readably; nil: `key: value` lines.
    var readableBody: ((JSONValue) -> Void)? { get }
    /// Response fields the readable output leaves out (another field says the same).
    var hiddenFields: Set<String> { get }
    /// Response fields whose strings the readable output prints one per line.
    var listFields: Set<String> { get }
}

extension RequestCommand {
    var progressLabel: String? { nil }
    var readableBody: ((JSONValue) -> Void)? { nil }
    var hiddenFields: Set<String> { [] }
    var listFields: Set<String> { [] }

    func run() async throws {
        var line = try request()
        let endpoint = connection.endpoint
        let tls = try connection.tls()
        if let token = try connection.token() {
            if case .tcp(let address) = endpoint, !address.isLoopback, tls == nil {
                printError("shadowctl: refusing to send a token over plain TCP to \(address), which is not a "
                           + "loopback address; use TLS (--tls-ca) or the Unix socket (--socket)")
                throw ExitCode(64)
            }
            line = ManagementClient.addingToken(token, to: line)
        }
        let client = ManagementClient(endpoint: endpoint, timeout: .seconds(Int64(connection.timeout)), tls: tls)
        let response: String
        let progress = progressLabel.flatMap { UploadProgress.onTerminal(label: $0, byteCount: line.count) }
        var report: (@Sendable (Int, Int) -> Void)?
        if let progress { report = { sent, total in progress.update(sent: sent, total: total) } }
        do {
            response = try await client.send(line, progress: report)
            progress?.finish()
        } catch {
            progress?.finish()
            printError("shadowctl: \(error)")
            throw ExitCode(3)
        }
        let success = ResponsePrinter.print(response, raw: connection.json, body: readableBody,
                                            hidden: hiddenFields, lists: listFields)
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
