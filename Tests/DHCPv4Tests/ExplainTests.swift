import DHCPWireKit
import ShadowCore
import Testing
@testable import DHCPv4

/// `explain` for DHCPv4 (``DHCPv4Engine/explain(mac:option82:relay:snapshot:config:shares:)``):
/// each step of the lookup, and a verdict that agrees with what the engine does with a real
/// DISCOVER carrying the same client.
@Suite("DHCPv4 explain")
struct ExplainTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var extractor: Option82Extractor
        var circuit: String?
        var remote: String?
        var subscriber: String?
        var key: Option82
        var testDescription: String { extractor.name }

        var wire: Option82 { Option82(circuit: circuit, remote: remote, subscriber: subscriber) }
    }

    /// For each extractor: a relay's Option 82 and the key that extractor makes of it.
    static let cases = [
        Case(extractor: .remoteOnly, circuit: "c1", remote: "r-1", key: Option82(remote: "r-1")),
        Case(extractor: .remoteOnlyTrim, remote: "  r-2\0 ", key: Option82(remote: "r-2")),
        Case(extractor: .circuitOnly, circuit: "eth0/9", remote: "x", key: Option82(circuit: "eth0/9")),
        Case(extractor: .circuitAndRemote, circuit: "c4", remote: "r4", subscriber: "s",
             key: Option82(circuit: "c4", remote: "r4")),
        Case(extractor: .subscriberOnly, remote: "y", subscriber: "sub-5", key: Option82(subscriber: "sub-5")),
        Case(extractor: .remoteFirst12, remote: "aabbccddeeff-port3", key: Option82(remote: "AA-BB-CC-DD-EE-FF")),
        Case(extractor: .normalizeRemoteMAC, remote: "aa:bb:cc:dd:ee:01", key: Option82(remote: "AA-BB-CC-DD-EE-01")),
    ]

    static let reserved = IPv4Address(192, 168, 1, 77)

    @Test("Each Option 82 extractor: the key it produced, found in the index, and the engine's OFFER", arguments: cases)
    func extractor(_ c: Case) throws {
        var config = World.config()
        config.option82Extractors = [c.extractor]
        let snapshot = ReservationSnapshot(reservations: [World.reservation(Self.reserved, option82: c.key)])
        let x = DHCPv4Engine.explain(mac: World.unknownMAC, option82: c.wire, relay: World.relay,
                                     snapshot: snapshot, config: config)
        #expect(x.trace.steps.map(\.key) == ["chaddr", "option82"])
        #expect(x.trace.steps[0].found == nil)
        let step = x.trace.steps[1]
        #expect(step.extractor == c.extractor.name)
        #expect(step.produced == ReservationKey.option82(c.key).description)
        #expect(step.found == 0)
        #expect(x.verdict == .offer(reservation: 0))
        #expect(x.trace.match == ReservationMatch(index: 0, method: .option82, extractor: c.extractor.name))

        var p = World.packet(.discover, World.unknownMAC)
        p.relayAgentInformation(circuit: c.circuit, remote: c.remote, subscriber: c.subscriber)
        let engine = World.exchange(p, config: config, snapshot: snapshot)
        #expect(engine.type == .offer)
        #expect(engine.reply?.yiaddr == Self.reserved)
        #expect(engine.outcome.event.match == x.trace.match)
    }

    @Test("The walk goes through the configured extractors in order and stops at the first key found")
    func walkOrder() {
        let snapshot = ReservationSnapshot(reservations: [
            World.reservation(Self.reserved, option82: Option82(remote: "AA-BB-CC-DD-EE-01"))])
        let x = DHCPv4Engine.explain(mac: World.unknownMAC, option82: Option82(remote: "aa:bb:cc:dd:ee:01"),
                                     relay: nil, snapshot: snapshot, config: World.config())
        #expect(x.trace.steps.map { $0.extractor ?? $0.key } == ["chaddr"] + Option82Extractor.allCases.map(\.name))
        #expect(x.trace.steps.map(\.text) == [
            "chaddr: 11-22-33-44-55-66: not in the index",
            #"option82 remote_only: {"remote":"aa:bb:cc:dd:ee:01"}: not in the index"#,
            #"option82 remote_only_trim: {"remote":"aa:bb:cc:dd:ee:01"}: not in the index"#,
            #"option82 circuit_only: {"remote":"aa:bb:cc:dd:ee:01"} → nothing"#,
            #"option82 circuit_and_remote: {"remote":"aa:bb:cc:dd:ee:01"} → nothing"#,
            #"option82 subscriber_only: {"remote":"aa:bb:cc:dd:ee:01"} → nothing"#,
            #"option82 remote_first_12: {"remote":"aa:bb:cc:dd:ee:01"} → nothing"#,
            #"option82 normalize_remote_mac: {"remote":"aa:bb:cc:dd:ee:01"} → {"remote":"AA-BB-CC-DD-EE-01"}: reserved (entry 0)"#,
        ])
        // chaddr first: a MAC reservation wins before any extractor runs.
        let a = DHCPv4Engine.explain(mac: World.macC, option82: Option82(remote: "fallback-remote"), relay: nil,
                                     snapshot: World.snapshot, config: World.config())
        #expect(a.trace.steps.count == 1)
        #expect(a.trace.match == ReservationMatch(index: 2, method: .mac, extractor: "chaddr"))
    }

    struct Verdict: Sendable, CustomTestStringConvertible {
        var name: String
        var mac: MACAddress
        var relay: IPv4Address = World.relay
        var shares: ServiceShares = .standalone
        var expected: DHCPv4NoReplyReason?
        var testDescription: String { name }
    }

    static let verdicts = [
        Verdict(name: "OFFER", mac: World.macA, expected: nil),
        Verdict(name: "NotRelayed", mac: World.macA, relay: .any, expected: .notRelayed),
        Verdict(name: "NoReservation", mac: World.unknownMAC, expected: .noReservation),
        Verdict(name: "NoServerSubnet", mac: World.macD, expected: .noServerSubnet),
        // macA hashes to share 1; server 0 of two answers only share 0.
        Verdict(name: "PeerShare", mac: World.macA,
                shares: ServiceShares(mode: .loadBalancing, serverCount: 2, primaryIndex: 0, answering: 1),
                expected: .peerShare),
    ]

    @Test("Every verdict explain can give is the engine's for the same client", arguments: verdicts)
    func verdict(_ v: Verdict) {
        let x = DHCPv4Engine.explain(mac: v.mac, option82: nil, relay: v.relay, snapshot: World.snapshot,
                                     config: World.config(), shares: v.shares)
        let engine = World.exchange(World.packet(.discover, v.mac, giaddr: v.relay), shares: v.shares)
        #expect(engine.reason == v.expected)
        if let reason = v.expected {
            #expect(x.verdict == .noReply(reason))
        } else {
            #expect(engine.type == .offer)
            #expect(x.verdict == .offer(reservation: 0))
            #expect(x.subnet?.gateway == IPv4Address(192, 168, 1, 1))
        }
    }
}
