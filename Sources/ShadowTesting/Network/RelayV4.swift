import DHCPWireKit
import DHCPv4
import ShadowCore

/// A DHCPv4 relay agent on loopback: sets `giaddr` to its own address, forwards to the server
/// and receives the replies the server sends back to it.
///
/// Two ways to get the replies (replies always go to `giaddr`):
/// - ``init(server:)``: an ephemeral port on 127.0.0.1, with RFC 8357 Relay Source Port
///   (Option 82 sub-option 19) added to every request, so the server replies to that port;
/// - ``init(server:listeningOn67At:)``: port 67 on an address of its own, as a classic relay.
public final class RelayV4 {
    public let server: SocketAddress
    public let endpoint: UDPEndpoint
    public let giaddr: IPv4Address
    public let usesRelaySourcePort: Bool

    public init(server: SocketAddress) throws {
        self.server = server
        giaddr = IPv4Address(127, 0, 0, 1)
        endpoint = try UDPEndpoint(bind: .v4(giaddr, port: 0))
        usesRelaySourcePort = true
    }

    /// Listens on `address`:67 (allocate it with ``Loopback/freeIPv4(port:)``).
    public init(server: SocketAddress, listeningOn67At address: IPv4Address) throws {
        self.server = server
        giaddr = address
        endpoint = try UDPEndpoint(bind: .v4(address, port: 67))
        usesRelaySourcePort = false
    }

    /// The request as this relay forwards it: `giaddr` set and, with RFC 8357, sub-option 19
    /// appended to the last Option 82 (or an Option 82 holding only it).
    public func relayed(_ request: DHCPv4PacketBuilder) -> DHCPv4PacketBuilder {
        var b = request
        b.giaddr = giaddr
        if usesRelaySourcePort {
            if let i = b.options.lastIndex(where: { $0.code == DHCPv4Option.relayAgentInformation }) {
                b.options[i].payload += [RelayAgentSubOption.relaySourcePort, 0]
            } else {
                b.relayAgentInformation([(RelayAgentSubOption.relaySourcePort, [])])
            }
        }
        return b
    }

    /// Sends bytes as they are (malformed input included).
    public func send(raw bytes: [UInt8]) throws {
        try endpoint.send(bytes, to: server)
    }

    /// Relays `request` and waits for the server's reply with the same xid.
    public func exchange(_ request: DHCPv4PacketBuilder, timeout: Duration = .seconds(3)) throws -> DHCPv4Reply? {
        let b = relayed(request)
        try endpoint.send(b.bytes, to: server)
        return try reply(xid: b.xid, timeout: timeout)
    }

    /// The next reply from the server with transaction id `xid`.
    public func reply(xid: UInt32, timeout: Duration = .seconds(3)) throws -> DHCPv4Reply? {
        let server = self.server
        return try endpoint.receive(timeout: timeout) { bytes, source in
            source == server && DHCPv4Reply(bytes)?.xid == xid
        }.flatMap { DHCPv4Reply($0.0) }
    }
}

extension DHCPv4PacketBuilder {
    /// A DISCOVER from `mac`, with Option 82 when `option82` is given (as the last option).
    public static func discover(mac: MACAddress, xid: UInt32, option82: TestReservation.Option82Key? = nil)
        -> DHCPv4PacketBuilder {
        var b = DHCPv4PacketBuilder(type: .discover, mac: mac)
        b.xid = xid
        if let o = option82 { b.relayAgentInformation(circuit: o.circuit, remote: o.remote, subscriber: o.subscriber) }
        return b
    }

    /// A SELECTING REQUEST from `mac` for `address` from `server` (options 50 and 54).
    public static func request(mac: MACAddress, xid: UInt32, address: IPv4Address, server: IPv4Address,
                               option82: TestReservation.Option82Key? = nil) -> DHCPv4PacketBuilder {
        var b = DHCPv4PacketBuilder(type: .request, mac: mac)
        b.xid = xid
        b.requestedAddress(address)
        b.serverIdentifier(server)
        if let o = option82 { b.relayAgentInformation(circuit: o.circuit, remote: o.remote, subscriber: o.subscriber) }
        return b
    }
}
