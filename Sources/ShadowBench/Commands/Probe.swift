import DHCPWireKit
import ShadowCore
import ShadowSystem
import SystemPackage

/// `shadow-bench probe`: one relayed DISCOVER or Relay-forward(Solicit), the decoded answer.
public enum Probe {
    /// What to send for DHCPv4.
    public struct V4Query: Sendable {
        public var mac: MACAddress
        public var relay: V4Relay
        public init(mac: MACAddress, relay: V4Relay) {
            self.mac = mac
            self.relay = relay
        }
    }

    /// What to send for DHCPv6.
    public struct V6Query: Sendable {
        public var client: V6Client
        public var relay: V6Relay
        public init(client: V6Client, relay: V6Relay) {
            self.client = client
            self.relay = relay
        }
    }

    /// Sends a DISCOVER from `local` (port 0: ephemeral, with RFC 8357 sub-option 19) and returns
    /// the rendered answer, or nil when nothing came within `timeout`; with `resend`, sends it
    /// again every `resend` seconds until then.
    public static func v4(_ q: V4Query, server: SocketAddress, local: SocketAddress, timeout: Double,
                          resend: Double? = nil, json: Bool) throws(Errno) -> String? {
        let fd = try UDPSocket.bind(local, receiveBufferSize: 0)
        defer { try? fd.close() }
        var relay = q.relay
        relay.sourcePortOption = relay.sourcePortOption || local.port == 0
        let xid = UInt32.random(in: 1...UInt32.max)
        var request = [UInt8](repeating: 0, count: V4RequestWriter.maximumLength)
        let length = request.withUnsafeMutableBytes {
            V4RequestWriter(relay: relay).discover(mac: q.mac, xid: xid, requested: nil, into: $0)
        }
        let reply = try ProbeExchange.run(socket: fd, server: server, request: Array(request.prefix(length)),
                                          timeout: timeout, resend: resend) { V4ReplySummary($0)?.xid == xid }
        guard let reply else { return nil }
        guard let d = DHCPv4Reply(reply, requireEnd: false) else { return nil }
        return json ? ReplyRendering.json(d, from: server.description) : ReplyRendering.text(d, from: server.description)
    }

    /// Sends a Relay-forward(Solicit) from `local` (port 0: ephemeral, with option 135).
    public static func v6(_ q: V6Query, server: SocketAddress, local: SocketAddress, timeout: Double,
                          resend: Double? = nil, json: Bool) throws(Errno) -> String? {
        let fd = try UDPSocket.bind(local, receiveBufferSize: 0)
        defer { try? fd.close() }
        var relay = q.relay
        if local.port == 0 { relay.sourcePort = try UDPSocket.localAddress(of: fd).port }
        let xid = UInt32.random(in: 1...0xFF_FFFF)
        var request = [UInt8](repeating: 0, count: V6RequestWriter.maximumLength)
        let length = request.withUnsafeMutableBytes { V6RequestWriter(relay: relay).solicit(q.client, xid: xid, into: $0) }
        let reply = try ProbeExchange.run(socket: fd, server: server, request: Array(request.prefix(length)),
                                          timeout: timeout, resend: resend) { V6ReplySummary($0)?.xid == xid }
        guard let reply else { return nil }
        guard let d = DHCPv6Reply(reply) else { return nil }
        return json ? ReplyRendering.json(d, from: server.description) : ReplyRendering.text(d, from: server.description)
    }
}
