import DHCPWireKit
import Testing
import ShadowCore
@testable import DHCPv6

/// One test (or a parameterised table) per docs/dhcpv6.md rule.
@Suite struct DecisionTests {
    let f = Fixture()
    let sid = Packet.serverID(Fixture.serverDUID)
    let cid = Packet.clientID(Fixture.clientDUID)

    // MARK: Nested relays, Interface-ID echo, destination

    @Test func nestedRelayIsRewrappedWithEachInterfaceID() throws {
        let msg = Packet.client(.solicit, cid, Packet.iaNA(1))
        let inner = Packet.relay(msg, hop: 0, link: "2001:db8:a::1", peer: "fe80::1", extra: [Packet.interfaceID("inner")])
        let outer = Packet.relay(inner, hop: 1, link: "2001:db8:b::1", peer: "2001:db8:a::1",
                                 extra: [Packet.interfaceID("outer"), Packet.remoteID(enterprise: 9, "r")])
        let (outcome, bytes) = f.run(outer, source: IPv6Address("2001:db8:b::2")!, port: 547)
        #expect(outcome.action == .reply(length: bytes.count, destination: IPv6Address("2001:db8:b::2")!, port: 547))
        let r = try #require(DHCPv6Reply(bytes))
        #expect(r.levels.count == 2)
        #expect(r.levels.map(\.hopCount) == [1, 0])
        #expect(r.levels.map(\.link) == [IPv6Address("2001:db8:b::1")!, IPv6Address("2001:db8:a::1")!])
        #expect(r.levels.map(\.peer) == [IPv6Address("2001:db8:a::1")!, IPv6Address("fe80::1")!])
        #expect(r.levels.map { $0.options.map(\.code) } == [[9, 18], [9, 18]])
        #expect(r.levels[0].options[1].payload == Array("outer".utf8))
        #expect(r.levels[1].options[1].payload == Array("inner".utf8))
        #expect(r.type == 2)
        // Event relay fields come from the innermost level.
        #expect(outcome.event.relayPeerAddress == IPv6Address("fe80::1"))
        #expect(outcome.event.option1837Interface == "inner")
    }

    @Test func relayWithoutInterfaceIDHasOnlyRelayMessage() throws {
        let (_, bytes) = f.run(Packet.relay(Packet.client(.solicit, cid, Packet.iaNA(1)),
                                            extra: [Packet.clientLinkLayer("00:01:02:03:04:05")]))
        #expect(try #require(DHCPv6Reply(bytes)).levels[0].options.map(\.code) == [9])
    }

    @Test func relaySourcePortSendsToSourcePort() {
        let msg = Packet.client(.solicit, cid, Packet.iaNA(1))
        let (with, bytes) = f.run(Packet.relay(msg, extra: [Packet.relaySourcePort(0)]), port: 4000)
        #expect(with.action == .reply(length: bytes.count, destination: Fixture.relayAddress, port: 4000))
        let (without, _) = f.run(Packet.relay(msg), port: 4000)
        if case .reply(_, _, let port) = without.action { #expect(port == 547) } else { Issue.record("no reply") }
        // Only the outermost level decides.
        let (inner, _) = f.run(Packet.relay(Packet.relay(msg, extra: [Packet.relaySourcePort(0)])), port: 4000)
        if case .reply(_, _, let port) = inner.action { #expect(port == 547) } else { Issue.record("no reply") }
    }

    // MARK: Message handling

    @Test func requestWithoutReservationGetsNoAddrsAvailAndNoPrefixAvail() throws {
        var f = Fixture()
        f.reservations = []
        let (outcome, reply) = f.reply(to: Packet.client(.request, Packet.clientID("de:ad"), sid, Packet.iaNA(5), Packet.iaPD(6)))
        let r = try #require(reply)
        #expect(r.type == 7)
        let na = try #require(r.first(3)), pd = try #require(r.first(25))
        #expect(na.iaid == 5 && na.t1 == 0 && na.t2 == 0 && na.subOptions.map(\.code) == [13] && na.statusCode == 2)
        #expect(pd.iaid == 6 && pd.t1 == 0 && pd.t2 == 0 && pd.subOptions.map(\.code) == [13] && pd.statusCode == 6)
        #expect(outcome.event.success && outcome.event.reservation == nil)
    }

    @Test func rebindWithServerIDIsDiscarded() {
        let (outcome, reply) = f.reply(to: Packet.client(.rebind, cid, sid, Packet.iaNA(1)))
        #expect(reply == nil)
        #expect(outcome.reason == .unexpectedServerID)
        #expect(outcome.event.reservation == nil && !outcome.event.success)
    }

    struct Gate: Sendable, CustomTestStringConvertible {
        var name: String
        var message: [UInt8]
        var reason: DHCPv6NoReplyReason
        var testDescription: String { name }
    }

    static let gates: [Gate] = {
        let sid = Packet.serverID(Fixture.serverDUID), cid = Packet.clientID(Fixture.clientDUID)
        let wrong = Packet.serverID("00:09:09")
        return [
            Gate(name: "solicit without client id", message: Packet.client(.solicit, Packet.iaNA(1)), reason: .noClientID),
            Gate(name: "solicit with server id", message: Packet.client(.solicit, cid, sid), reason: .unexpectedServerID),
            Gate(name: "solicit unknown client", message: Packet.client(.solicit, Packet.clientID("01:02")), reason: .noReservation),
            Gate(name: "request without server id", message: Packet.client(.request, cid), reason: .noServerID),
            Gate(name: "request wrong server id", message: Packet.client(.request, cid, wrong), reason: .wrongServerID),
            Gate(name: "renew without server id", message: Packet.client(.renew, cid), reason: .noServerID),
            Gate(name: "renew wrong server id", message: Packet.client(.renew, cid, wrong), reason: .wrongServerID),
            Gate(name: "release wrong server id", message: Packet.client(.release, cid, wrong), reason: .wrongServerID),
            Gate(name: "decline without server id", message: Packet.client(.decline, cid), reason: .noServerID),
            Gate(name: "confirm without client id", message: Packet.client(.confirm), reason: .noClientID),
            Gate(name: "advertise", message: Packet.client(.advertise, cid, sid), reason: .discarded),
            Gate(name: "reply", message: Packet.client(.reply, cid, sid), reason: .discarded),
            Gate(name: "reconfigure", message: Packet.client(.reconfigure, cid, sid), reason: .discarded),
            Gate(name: "relay-repl inside", message: Packet.relay([1, 0, 0, 0], type: 13), reason: .discarded),
            Gate(name: "unknown type 99", message: [99, 0, 0, 1] + cid, reason: .discarded),
            Gate(name: "unknown type with garbage", message: [20, 0, 0, 1, 0xff], reason: .discarded),
        ]
    }()

    @Test(arguments: gates)
    func gatesEndInSilence(_ gate: Gate) {
        let (outcome, reply) = f.reply(to: gate.message)
        #expect(reply == nil)
        #expect(outcome.reason == gate.reason)
        #expect(outcome.event.failureReason == gate.reason && !outcome.event.success)
    }

    static let confirmCases: [([String], UInt16)] = [
        (["2001:db8::1"], 0), (["2001:db8::1", "2001:db8::1"], 0), (["2001:db8::1", "2001:db8::2"], 4), (["2001:db8::9"], 4),
    ]

    @Test(arguments: confirmCases)
    func confirm(addresses: [String], status: UInt16) throws {
        let ias = addresses.map { Packet.iaNA(1, Packet.iaAddress($0)) }
        let msg = Packet.client(.confirm, cid, ias.flatMap { $0 })
        let r = try #require(f.reply(to: msg).reply)
        #expect(r.type == 7)
        #expect(r.optionCodes == [1, 2, 13])
        #expect(r.first(13)?.u16(0) == status)
    }

    @Test func confirmSilentWithoutReservationOrAddress() {
        #expect(f.reply(to: Packet.client(.confirm, Packet.clientID("01:02"), Packet.iaNA(1, Packet.iaAddress("2001:db8::1")))).outcome.reason == .noReservation)
        #expect(f.reply(to: Packet.client(.confirm, cid, Packet.iaNA(1))).outcome.reason == .discarded)
        #expect(f.reply(to: Packet.client(.confirm, cid, sid, Packet.iaNA(1, Packet.iaAddress("2001:db8::1")))).outcome.reason == .unexpectedServerID)
    }

    @Test(arguments: [DHCPv6MessageType.release, .decline])
    func releaseAndDeclineGetSuccess(type: DHCPv6MessageType) throws {
        let msg = Packet.client(type, cid, sid, Packet.iaNA(1, Packet.iaAddress("2001:db8::1")), Packet.iaNA(2), Packet.iaPD(3))
        let r = try #require(f.reply(to: msg).reply)
        #expect(r.type == 7)
        #expect(r.optionCodes == [1, 2, 3, 13])
        #expect(r.first(13)?.u16(0) == 0)
        let extra = try #require(r.first(3))
        #expect(extra.iaid == 2 && extra.statusCode == 3 && extra.subOptions.count == 1)
    }

    @Test func releaseWithoutReservationGetsNoBindingInEveryIA() throws {
        let msg = Packet.client(.release, Packet.clientID("01:02"), sid, Packet.iaNA(1, Packet.iaAddress("2001:db8::1")), Packet.iaPD(3))
        let r = try #require(f.reply(to: msg).reply)
        #expect(r.optionCodes == [1, 2, 3, 13, 25])
        #expect(r.first(3)?.statusCode == 3 && r.first(25)?.statusCode == 3)
        #expect(r.first(3)?.subOptions.count == 1)
    }

    @Test func informationRequest() throws {
        let withID = try #require(f.reply(to: Packet.client(.informationRequest, cid, Packet.oro(23))).reply)
        #expect(withID.optionCodes == [1, 2, 23])
        let anonymous = try #require(f.reply(to: Packet.client(.informationRequest, sid)).reply)
        #expect(anonymous.optionCodes == [2, 23])
        #expect(anonymous.first(2)?.payload == DUID(Fixture.serverDUID)!.bytes)
        let noDNS = try #require(f.reply(to: Packet.client(.informationRequest, Packet.oro(24))).reply)
        #expect(noDNS.optionCodes == [2])
        #expect(f.reply(to: Packet.client(.informationRequest, cid, Packet.iaNA(1))).outcome.reason == .discarded)
        #expect(f.reply(to: Packet.client(.informationRequest, cid, Packet.option(4, [0, 0, 0, 1]))).outcome.reason == .discarded)
        #expect(f.reply(to: Packet.client(.informationRequest, Packet.serverID("09:09"))).outcome.reason == .wrongServerID)
    }

    // MARK: Every IA answered

    @Test(arguments: [DHCPv6MessageType.solicit, .request])
    func furtherIAsGetNoAddrsAvail(type: DHCPv6MessageType) throws {
        let ids = type == .solicit ? cid : cid + sid
        let msg = Packet.client(type, ids, Packet.iaPD(30), Packet.iaNA(10), Packet.iaNA(11), Packet.iaPD(31))
        let r = try #require(f.reply(to: msg).reply)
        #expect(r.all(3).map(\.iaid) == [10, 11])
        #expect(r.all(25).map(\.iaid) == [30, 31])
        #expect(r.all(3)[0].subOptions.first?.iaAddress.address == Fixture.reservedNA)
        #expect(r.all(3)[1].statusCode == 2 && r.all(3)[1].t1 == 0 && r.all(3)[1].t2 == 0)
        #expect(r.all(25)[1].statusCode == 6 && r.all(25)[1].t1 == 0 && r.all(25)[1].t2 == 0)
    }

    @Test(arguments: [DHCPv6MessageType.renew, .rebind])
    func furtherIAsGetNoBinding(type: DHCPv6MessageType) throws {
        let ids = type == .rebind ? cid : cid + sid
        let msg = Packet.client(type, ids, Packet.iaNA(10), Packet.iaNA(11, t1: 5, t2: 6, Packet.iaAddress("2001:db8::7")), Packet.iaPD(30), Packet.iaPD(31))
        let r = try #require(f.reply(to: msg).reply)
        #expect(r.all(3).map(\.iaid) == [10, 11] && r.all(25).map(\.iaid) == [30, 31])
        let second = r.all(3)[1]
        #expect(second.statusCode == 3 && second.t1 == 0 && second.t2 == 0 && second.subOptions.map(\.code) == [13])
        #expect(r.all(25)[1].statusCode == 3)
    }

    @Test func renewNamingWrongPrefixGetsReservedThenNamedWithZeroLifetimes() throws {
        let msg = Packet.client(.renew, cid, sid, Packet.iaPD(1, Packet.iaPrefix("2001:db8:100::/56"), Packet.iaPrefix("2001:db8:200::/48")))
        let r = try #require(f.reply(to: msg).reply)
        let p = try #require(r.first(25)).subOptions.map(\.iaPrefix)
        #expect(p.map(\.prefix) == [Fixture.reservedPD, IPv6Prefix("2001:db8:200::/48")!])
        #expect(p.map(\.valid) == [43200, 0])
    }

    @Test func solicitWithoutIAGetsAdvertiseWithoutIA() throws {
        let r = try #require(f.reply(to: Packet.client(.solicit, cid)).reply)
        #expect(r.optionCodes == [1, 2, 7, 23])
    }

    // MARK: Order and DNS

    @Test func optionsInAscendingOrderAtEveryLevel() throws {
        let msg = Packet.client(.solicit, Packet.iaPD(2), Packet.elapsedTime, Packet.iaNA(1), cid, Packet.rapidCommit)
        let (_, bytes) = f.run(Packet.relay(msg, extra: [Packet.interfaceID("i")]))
        let r = try #require(DHCPv6Reply(bytes))
        #expect(r.optionCodes == [1, 2, 3, 14, 23, 25])
        #expect(r.levels[0].options.map(\.code) == [9, 18])
        let renew = try #require(f.reply(to: Packet.client(.renew, Packet.iaPD(2, Packet.iaPrefix("2001:db8:9::/56")), sid, cid)).reply)
        #expect(renew.optionCodes == [1, 2, 23, 25])
        #expect(renew.first(25)?.subOptions.map(\.code) == [26, 26])
    }

    static let oroCases: [([UInt8], Bool)] = [
        ([], true), (Packet.oro(23), true), (Packet.oro(7, 23), true), (Packet.oro(), false), (Packet.oro(24, 31), false),
    ]

    @Test(arguments: oroCases)
    func dnsOnlyWhenAskedOrNoORO(oro: [UInt8], expected: Bool) throws {
        let r = try #require(f.reply(to: Packet.client(.solicit, cid, oro, Packet.iaNA(1))).reply)
        #expect((r.first(23) != nil) == expected)
    }

    // MARK: Encoding and events

    @Test func encodeFailsSoftWhenTheBufferIsTooSmall() {
        let datagram = Packet.relay(Packet.client(.solicit, cid, Packet.iaNA(1), Packet.iaPD(2)))
        for size in [0, 10, 60, 126] {
            let (outcome, _) = f.run(datagram, bufferSize: size)
            #expect(outcome.reason == .encodeFailed)
            #expect(outcome.event.reservation == Fixture.reservation && outcome.event.match?.method == .duid)
        }
        #expect(f.run(datagram, bufferSize: 4096).outcome.isReply)
    }

    @Test func eventJSONLine() {
        let datagram = Packet.relay(Packet.client(.solicit, xid: 0x0000ab, cid, Packet.iaNA(1, Packet.iaAddress("2001:db8::99"))),
                                    link: "2001:db8::a", peer: "fe80::1",
                                    extra: [Packet.clientLinkLayer("00:11:22:33:44:55"), Packet.interfaceID("eth0/1"),
                                            Packet.remoteID(enterprise: 12345, "remote-id")])
        let (outcome, _) = f.run(datagram)
        let line = outcome.event.jsonLine(timestampKey: "timestamp_ms", timestamp: 1700000000123)
        #expect(line == """
        {"ip_version":"v6","timestamp_ms":1700000000123,"message_type":"Solicit","xid":"0000ab",\
        "relay_addr":"2001:db8:ffff::1","relay_link_addr":"2001:db8::a","relay_peer_addr":"fe80::1",\
        "mac_address":"00-11-22-33-44-55","client_id":"aa:bb:cc","option1837_interface":"eth0/1",\
        "option1837_remote":"remote-id","requested_ipv6_na":"2001:db8::99","requested_ipv6_pd":null,\
        "reservation_ipv6_na":"2001:db8::1","reservation_ipv6_pd":"2001:db8:100::/56",\
        "reservation_ipv4":"192.168.0.10","reservation_mac":"00-01-02-03-04-05","reservation_duid":"aa:bb:cc",\
        "reservation_option1837_interface":null,"reservation_option1837_remote":null,"match_method":"duid",\
        "extractor_used":null,"success":true,"failure_reason":null}
        """)
        let head = outcome.event.jsonLine(timestampKey: "timestamp", timestamp: 5)
        #expect(head.hasPrefix(#"{"ip_version":"v6","timestamp":5,"#))
        let parse = f.run([1, 2, 3]).outcome.event.jsonLine(timestamp: 1)
        #expect(parse.contains(#""message_type":"Unknown","xid":"","relay_addr":"2001:db8:ffff::1","relay_link_addr":"::","relay_peer_addr":"::""#))
        #expect(parse.hasSuffix(#""success":false,"failure_reason":"ParseError"}"#))
    }

    /// No MAC known (no client link-layer option, a DUID without one): `mac_address` is null in
    /// the event and `mac` is absent from the log lines, as in DHCPv4; never `""`.
    @Test func noMACIsNullOrAbsent() {
        var g = Fixture()
        g.config.macExtractors = [.clientLinklayerAddress]
        let (outcome, _) = g.run(Packet.relay(Packet.client(.solicit, cid, Packet.iaNA(1))))
        #expect(outcome.event.mac == nil)
        let json = outcome.event.jsonLine(timestamp: 1)
        #expect(json.contains(#","mac_address":null,"#) && !json.contains(#""mac_address":"""#), "\(json)")
        #expect(!outcome.logLines.isEmpty)
        #expect(outcome.logLines.allSatisfy { line in !line.fields.contains { $0.key == "mac" } })
    }

    @Test func logLines() {
        let granted = f.reply(to: Packet.client(.solicit, cid, Packet.iaNA(1))).outcome.logLines[0]
        #expect(granted.level == .info && granted.message == "DHCPv6 lease granted")
        #expect(granted.fields.first { $0.key == "message_type" }?.value == "Advertise")
        var empty = Fixture()
        empty.reservations = []
        let noBinding = empty.reply(to: Packet.client(.renew, cid, sid, Packet.iaNA(1))).outcome.logLines[0]
        #expect(noBinding.message.hasPrefix("DHCPv6 Reply sent with NoBinding"))
        let none = empty.reply(to: Packet.client(.solicit, cid)).outcome.logLines[0]
        #expect(none.level == .info && none.message == "DHCPv6: no reservation found — not responding")
        #expect(f.reply(to: Packet.client(.advertise)).outcome.logLines.map(\.level) == [.debug])
    }

    @Test("mostSevereLogLevel says the level of logLines, without building them")
    func logLineLevelKnownBeforehand() {
        var empty = Fixture()
        empty.reservations = []
        let outcomes = [
            f.reply(to: Packet.client(.solicit, cid, Packet.iaNA(1))).outcome,     // lease granted
            empty.reply(to: Packet.client(.renew, cid, sid, Packet.iaNA(1))).outcome,  // NoBinding
            empty.reply(to: Packet.client(.solicit, cid)).outcome,                 // no reservation
            f.reply(to: Packet.client(.advertise)).outcome,                        // discarded
            f.run([1, 2, 3]).outcome,                                              // parse error
        ]
        #expect(outcomes.map(\.mostSevereLogLevel) == [.info, .info, .info, .debug, .debug])
        for outcome in outcomes { #expect(outcome.logLines.map(\.level).max() == outcome.mostSevereLogLevel) }
    }
}
