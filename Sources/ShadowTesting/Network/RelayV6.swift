import DHCPWireKit
import ShadowCore

/// A DHCPv6 relay agent on ::1: wraps client messages in a Relay-forward that carries RFC 8357
/// Relay Source Port (option 135), so the server sends the Relay-reply back to this relay's
/// ephemeral port (there is only one loopback address for IPv6).
public final class RelayV6 {
    public let server: SocketAddress
    public let endpoint: UDPEndpoint
    /// The Relay-forward's link-address.
    public var linkAddress = IPv6Address("2001:db8:ffff::1")!

    public init(server: SocketAddress) throws {
        self.server = server
        endpoint = try UDPEndpoint(bind: .v6(.loopback, port: 0))
    }

    /// `inner` in a Relay-forward with option 135 first, then `options`.
    public func relayForward(_ inner: [UInt8], peer: IPv6Address, options: [[UInt8]] = []) -> [UInt8] {
        DHCPv6Packet.relayForward(inner, link: linkAddress, peer: peer,
                                  options: [DHCPv6Packet.relaySourcePort()] + options)
    }

    /// Sends bytes as they are (malformed input included).
    public func send(raw bytes: [UInt8]) throws {
        try endpoint.send(bytes, to: server)
    }

    /// Relays `inner` and waits for the Relay-reply whose client message has `inner`'s xid.
    public func exchange(_ inner: [UInt8], peer: IPv6Address = IPv6Address("fe80::1")!, options: [[UInt8]] = [],
                         timeout: Duration = .seconds(3)) throws -> DHCPv6Reply? {
        try endpoint.send(relayForward(inner, peer: peer, options: options), to: server)
        let xid = UInt32(inner[1]) << 16 | UInt32(inner[2]) << 8 | UInt32(inner[3])
        return try reply(xid: xid, timeout: timeout)
    }

    /// The next Relay-reply from the server whose client message has transaction id `xid`.
    public func reply(xid: UInt32, timeout: Duration = .seconds(3)) throws -> DHCPv6Reply? {
        let server = self.server
        return try endpoint.receive(timeout: timeout) { bytes, source in
            guard source == server, let r = DHCPv6Reply(bytes) else { return false }
            return !r.levels.isEmpty && r.xid == xid
        }.flatMap { DHCPv6Reply($0.0) }
    }
}
