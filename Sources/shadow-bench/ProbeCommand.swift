import ArgumentParser
import DHCPWireKit
import ShadowBench
import ShadowCore

/// `shadow-bench probe`.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Does this reservation answer? Send one relayed DISCOVER (or --v6 Solicit) and print the answer.",
        discussion: """
        By default the probe binds an ephemeral port on --bind (default: giaddr / 127.0.0.1 / ::1) and \
        asks for the reply there with RFC 8357 (DHCPv4 sub-option 19, DHCPv6 option 135). With \
        --port 67 (or 547) it behaves as a classic relay; on one host the server then already holds \
        127.0.0.1:67, so bind another loopback address: --giaddr 127.0.0.2 --port 67 (all of 127/8 is local).
        """)

    @Flag(help: "DHCPv6: Relay-forward(Solicit).") var v6 = false
    @Option(help: "Server address.") var server: String
    @Option(help: "Server port (default 67 / 547).") var serverPort: UInt16?
    @Option(help: "Client MAC (DHCPv4 chaddr; DHCPv6 option 79, EUI-64 peer-address, DUID-LL if no --duid).") var mac: String?
    @Option(help: "DHCPv6 Client Identifier.") var duid: String?
    @Option(help: "giaddr (v4); default --bind, else 127.0.0.1.") var giaddr: String?
    @Option(help: "Local address to bind (default giaddr, or ::1 for v6).") var bind: String?
    @Option(help: "Local port (default 0: ephemeral, RFC 8357).") var port: UInt16 = 0
    @Option(name: .customLong("option82-circuit"), help: "Option 82 Agent Circuit ID.") var circuit: String?
    @Option(name: .customLong("option82-remote"), help: "Option 82 Agent Remote ID.") var remote: String?
    @Option(name: .customLong("option82-subscriber"), help: "Option 82 Subscriber ID.") var subscriber: String?
    @Option(help: "DHCPv6 link-address (default the bound address).") var linkAddress: String?
    @Option(help: "DHCPv6 Interface-ID (option 18).") var interfaceID: String?
    @Option(help: "DHCPv6 Remote-ID (option 37) as ENTERPRISE:TEXT.") var remoteID: String?
    @Option(help: "Seconds to wait.") var timeout: Double = 2
    @Option(help: "Send the request again every this many seconds until an answer or --timeout (a server that is starting).")
    var resend: Double?
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard timeout > 0 && timeout <= 60 else { throw ValidationError("--timeout must be in (0, 60]") }
        if let resend { guard resend >= 0.001 && resend <= timeout else { throw ValidationError("--resend must be in [0.001, --timeout]") } }
        if v6 { guard duid != nil || mac != nil else { throw ValidationError("--v6 needs --duid or --mac") } }
        else { guard mac != nil else { throw ValidationError("DHCPv4 needs --mac") } }
    }

    func run() throws {
        let answer = v6 ? try probeV6() : try probeV4()
        if let answer { print(answer); return }
        let t = LoadResult.format(timeout)
        print(json ? "{\"answered\":false,\"timeout_s\":\(t)}" : "no answer within \(t) s")
        throw ExitCode(2)
    }

    func probeV4() throws -> String? {
        let giaddrText = giaddr ?? bind ?? "127.0.0.1"
        let relay = V4Relay(giaddr: try Parse.ipv4(giaddrText, "--giaddr"), circuitID: circuit, remoteID: remote,
                            subscriberID: subscriber)
        let local = SocketAddress.v4(try Parse.ipv4(bind ?? giaddrText, "--bind"), port: port)
        let server = SocketAddress.v4(try Parse.ipv4(self.server, "--server"), port: serverPort ?? 67)
        return try Probe.v4(.init(mac: try Parse.mac(mac!), relay: relay), server: server, local: local,
                            timeout: timeout, resend: resend, json: json)
    }

    func probeV6() throws -> String? {
        let bindAddress = try Parse.ipv6(bind ?? "::1", "--bind")
        let link = try linkAddress.map { try Parse.ipv6($0, "--link-address") } ?? bindAddress
        let relay = V6Relay(linkAddress: link, interfaceID: interfaceID, remoteID: try remoteID.map(Parse.remoteID))
        let client = V6Client(duid: try duid.map(Parse.duid), mac: try mac.map(Parse.mac))
        let server = SocketAddress.v6(try Parse.ipv6(self.server, "--server"), port: serverPort ?? 547)
        return try Probe.v6(.init(client: client, relay: relay), server: server, local: .v6(bindAddress, port: port),
                            timeout: timeout, resend: resend, json: json)
    }
}
