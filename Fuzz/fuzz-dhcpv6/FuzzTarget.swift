import DHCPv6
import ShadowCore

/// What one fuzz input is run through: the decoder and the full engine, with invariants checked.
struct FuzzTarget {
    static let serverDUID = DUID("00:01:00:01:2d:f2:39:c7:bc:24:11:a7:20:34")!  // Kea's id in golden G
    static let source = IPv6Address("2001:db8:ffff::1")!

    let engine: DHCPv6Engine
    let snapshot: ReservationSnapshot
    let bindings: BindingTable
    var reply = [UInt8](repeating: 0, count: 4096)
    var small = [UInt8](repeating: 0, count: 96)

    init() {
        let config = ServerConfig(dnsV4: [IPv4Address(192, 0, 2, 53)], dnsV6: [IPv6Address("2001:db8::53")!],
                                  subnetsV4: [], option1837Extractors: Option1837Extractor.allCases,
                                  macExtractors: MACExtractor.allCases)
        engine = DHCPv6Engine(config: config, ids: ServerIdentifiers(v4: IPv4Address(192, 0, 2, 1), v6: Self.serverDUID))
        let o82 = Option82(remote: "AA-BB-CC-DD-EE-FF")
        snapshot = ReservationSnapshot(reservations: [
            Reservation(ipv4: IPv4Address(198, 51, 100, 10), ipv6NA: IPv6Address("2605:cb40:8020::2")!,
                        ipv6PD: IPv6Prefix("2605:cb40:8020:100::/56")!, duid: DUID("00:03:00:01:08:55:31:8f:19:94")),
            Reservation(ipv4: IPv4Address(198, 51, 100, 11), ipv6NA: IPv6Address("2001:db8:1::11")!,
                        ipv6PD: IPv6Prefix("2001:db8:101::/56")!, mac: MACAddress("0a:55:31:8f:19:98")),
            Reservation(ipv4: IPv4Address(198, 51, 100, 12), ipv6NA: IPv6Address("2001:db8:1::12")!,
                        ipv6PD: IPv6Prefix("2001:db8:102::/56")!, option82: o82),
            Reservation(ipv4: IPv4Address(198, 51, 100, 13), ipv6NA: IPv6Address("2001:db8:1::13")!,
                        ipv6PD: IPv6Prefix("2001:db8:103::/56")!, option1837: Option1837(interface: "\0\0\0\u{0c}")),
        ])
        var table = BindingTable()
        table.learn(mac: MACAddress("08:55:31:8f:19:98")!, option82: o82, now: 0)
        bindings = table
    }

    /// Runs one input; returns a description of the first broken invariant, or nil.
    mutating func run(_ input: UnsafeRawBufferPointer) -> String? {
        let decoded: Result<DHCPv6Datagram, DHCPv6DecodeError>
        do { decoded = .success(try DHCPv6Datagram.decode(input)) } catch { decoded = .failure(error) }
        if case .success(let d) = decoded, let problem = checkDecoded(d, input) { return problem }
        if case .failure(let e) = decoded, e.offset < 0 || e.offset > input.count { return "error offset \(e)" }

        let (engine, snapshot, bindings) = (self.engine, self.snapshot, self.bindings)
        let outcome = reply.withUnsafeMutableBytes { out in
            engine.handle(datagram: input, source: Self.source, sourcePort: 4000, snapshot: snapshot,
                          bindings: bindings, reply: out)
        }
        _ = outcome.event.jsonLine(timestamp: 0)
        _ = outcome.logLines
        switch (decoded, outcome.action) {
        case (.failure(let e), .reply):
            return "engine replied to undecodable input (\(e))"
        case (.failure, .noReply(let reason)) where ![.parseError, .noRelayMessage, .invalidClientID].contains(reason):
            return "decode failure reported as \(reason)"
        case (.success(let d), .reply(let length, let destination, let port)):
            if destination != Self.source || (port != 547 && port != 4000) { return "bad destination" }
            if let problem = reply.withUnsafeBytes({ checkReply(UnsafeRawBufferPointer(rebasing: $0[..<length]), d) }) {
                return problem
            }
            return checkSmallBuffer(input, expected: Array(reply[..<length]))
        default:
            return nil
        }
    }

    /// Every range the decoder reports lies inside the datagram.
    func checkDecoded(_ d: DHCPv6Datagram, _ input: UnsafeRawBufferPointer) -> String? {
        let all = 0..<input.count
        guard (1...32).contains(d.depth) else { return "depth \(d.depth)" }
        for level in [d.outermost, d.innermost] {
            for r in [level.relayMessage, level.interfaceID, level.remoteID, level.clientLinkLayerAddress] {
                if let r, r.lowerBound < all.lowerBound || r.upperBound > all.upperBound {
                    return "relay range \(String(describing: r)) outside \(input.count)"
                }
            }
            if level.hopCount > 32 { return "hop count \(level.hopCount) accepted" }
        }
        if d.client.options.upperBound > input.count { return "client options outside datagram" }
        return nil
    }

    /// The reply re-decodes: one Relay-reply per level, an Advertise or Reply inside with our xid.
    func checkReply(_ bytes: UnsafeRawBufferPointer, _ request: DHCPv6Datagram) -> String? {
        var range = 0..<bytes.count
        for level in 0..<request.depth {
            guard let r = try? DHCPv6RelayLevel.decode(bytes, range: range), r.messageType == 13,
                  let inner = r.relayMessage else { return "reply level \(level) does not decode" }
            range = inner
        }
        guard let m = try? DHCPv6ClientMessage.decode(bytes, range: range) else { return "client reply does not decode" }
        guard m.type == .advertise || m.type == .reply else { return "reply type \(m.rawType)" }
        guard m.transactionID == request.client.transactionID else { return "xid changed" }
        return nil
    }

    /// With a small buffer the same input gives the same bytes when they fit, else EncodeFailed.
    mutating func checkSmallBuffer(_ input: UnsafeRawBufferPointer, expected: [UInt8]) -> String? {
        let (engine, snapshot, bindings) = (self.engine, self.snapshot, self.bindings)
        let outcome = small.withUnsafeMutableBytes { out in
            engine.handle(datagram: input, source: Self.source, sourcePort: 4000, snapshot: snapshot,
                          bindings: bindings, reply: out)
        }
        switch outcome.action {
        case .reply(let length, _, _):
            return Array(small[..<length]) == expected ? nil : "small buffer gave different bytes"
        case .noReply(let reason):
            return reason == .encodeFailed && expected.count > small.count ? nil : "small buffer: \(reason)"
        }
    }
}
