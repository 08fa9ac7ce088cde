import DHCPWireKit
import ShadowCore
@testable import DHCPv6

/// The upstream v6 test environment (docs/testing.md).
struct Fixture {
    static let serverDUID = "00:01:02:03"
    static let clientDUID = "aa:bb:cc"
    static let reservedNA = IPv6Address("2001:db8::1")!
    static let reservedPD = IPv6Prefix("2001:db8:100::/56")!
    static let dns = IPv6Address("2001:4860:4860::8888")!
    static let relayAddress = IPv6Address("2001:db8:ffff::1")!

    static let reservation = Reservation(
        ipv4: IPv4Address(192, 168, 0, 10), ipv6NA: reservedNA, ipv6PD: reservedPD,
        mac: MACAddress("00:01:02:03:04:05"), duid: DUID(clientDUID))

    var config = ServerConfig(dnsV4: [IPv4Address(1, 1, 1, 1)], dnsV6: [Fixture.dns], subnetsV4: [],
                              option1837Extractors: Option1837Extractor.allCases)
    var ids = ServerIdentifiers(v4: IPv4Address(1, 1, 1, 1), v6: DUID(Fixture.serverDUID)!)
    var reservations = [Fixture.reservation]
    var bindings = BindingTable()
    /// HA: which clients this server answers, and whether binding-table matches wait.
    var shares = ServiceShares.standalone
    var holdCorrelation = false

    var engine: DHCPv6Engine { DHCPv6Engine(config: config, ids: ids) }

    /// Runs the engine over `datagram` and returns the outcome and the reply bytes (empty when silent):
    /// a new engine, or `on`, which keeps its state (its option tables' reply caches) between runs.
    func run(_ datagram: [UInt8], on given: DHCPv6Engine? = nil, source: IPv6Address = Fixture.relayAddress,
             port: UInt16 = 547, bufferSize: Int = 4096) -> (outcome: DHCPv6Outcome, bytes: [UInt8]) {
        let engine = given ?? self.engine
        let snapshot = ReservationSnapshot(reservations: reservations)
        var out = [UInt8](repeating: 0, count: bufferSize)
        let outcome = datagram.withUnsafeBytes { input in
            out.withUnsafeMutableBytes { reply in
                engine.handle(datagram: input, source: source, sourcePort: port, snapshot: snapshot,
                              bindings: bindings, shares: shares, holdCorrelation: holdCorrelation, reply: reply)
            }
        }
        if case .reply(let length, _, _) = outcome.action { return (outcome, Array(out[..<length])) }
        return (outcome, [])
    }

    /// Runs a client message wrapped in one Relay-forward and parses the reply.
    func reply(to message: [UInt8], extra: [[UInt8]] = []) -> (outcome: DHCPv6Outcome, reply: DHCPv6Reply?) {
        let (outcome, bytes) = run(Packet.relay(message, extra: extra))
        return (outcome, bytes.isEmpty ? nil : DHCPv6Reply(bytes))
    }
}

extension DHCPv6Outcome {
    var isReply: Bool { if case .reply = action { return true } else { return false } }
}
