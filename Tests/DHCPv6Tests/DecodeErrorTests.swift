import DHCPWireKit
import Testing
import ShadowCore
@testable import DHCPv6

/// Malformed input is a typed decode error with option code and offset, never a trap.
@Suite struct DecodeErrorTests {
    let solicit = Packet.client(.solicit, Packet.clientID("aa:bb:cc"), Packet.iaNA(1))

    func decode(_ bytes: [UInt8]) -> DHCPv6DecodeError? {
        bytes.withUnsafeBytes { buf -> DHCPv6DecodeError? in
            do { _ = try DHCPv6Datagram.decode(buf); return nil } catch { return error as? DHCPv6DecodeError }
        }
    }

    @Test(arguments: [0, 1, 4, 33])
    func shortHeader(length: Int) {
        let e = decode(Array(Packet.relay(solicit).prefix(length)))
        #expect(e?.kind == .shortHeader && e?.offset == 0)
    }

    @Test func shortClientMessage() {
        let e = decode(Packet.relay([1, 0, 0]))
        #expect(e?.kind == .shortHeader && e?.offset == 38)
    }

    @Test(arguments: [1, 3, 5, 13, 0, 255] as [UInt8])
    func nonRelayOuterType(type: UInt8) {
        var bytes = Packet.relay(solicit)
        bytes[0] = type
        #expect(decode(bytes)?.kind == .notRelayForward)
    }

    @Test func relayOptionOverrun() {
        var bytes = Packet.relay(solicit, extra: [Packet.interfaceID("eth0")])
        bytes[34 + 2] = 0x40  // Interface-ID length 0x4004
        let e = decode(bytes)
        #expect(e == DHCPv6DecodeError(.optionOverrun, optionCode: 18, offset: 34, messageOffset: 0))
    }

    @Test func truncatedOptionHeader() {
        let e = decode(Packet.relay(solicit) + [0, 9])
        #expect(e?.kind == .optionOverrun && e?.optionCode == 9)
    }

    @Test func clientOptionOverrun() {
        var inner = solicit
        inner[4 + 3] = 200  // Client Identifier length
        let e = decode(Packet.relay(inner))
        #expect(e?.kind == .optionOverrun && e?.optionCode == 1 && e?.offset == 38 + 4 && e?.messageOffset == 38)
    }

    @Test func iaSubOptionOverrun() {
        var ia = Packet.iaNA(1, Packet.iaAddress("2001:db8::1"))
        ia[4 + 12 + 3] = 100  // IA Address length past the IA
        let e = decode(Packet.relay(Packet.client(.renew, Packet.clientID("aa:bb:cc"), ia)))
        #expect(e?.kind == .optionOverrun && e?.optionCode == 5)
    }

    @Test(arguments: [
        Packet.option(3, [0, 0, 0, 1]),                      // IA_NA shorter than 12
        Packet.option(25, [0, 0, 0, 1, 0, 0]),               // IA_PD shorter than 12
        Packet.iaNA(1, Packet.option(5, [1, 2, 3])),          // IA Address shorter than 24
        Packet.iaPD(1, Packet.option(26, [UInt8](repeating: 0, count: 8) + [129] + [UInt8](repeating: 0, count: 16))),
        Packet.option(6, [0, 23, 0]),                        // odd ORO
    ])
    func malformedOptions(option: [UInt8]) {
        let e = decode(Packet.relay(Packet.client(.solicit, Packet.clientID("aa:bb:cc"), option)))
        #expect(e?.kind == .malformedOption)
    }

    @Test func hopCountAbove32() {
        #expect(decode(Packet.relay(solicit, hop: 32)) == nil)
        let e = decode(Packet.relay(solicit, hop: 33))
        #expect(e?.kind == .hopCountTooHigh && e?.offset == 1)
        let inner = decode(Packet.relay(Packet.relay(solicit, hop: 200)))
        #expect(inner?.kind == .hopCountTooHigh && inner?.messageOffset == 38)
    }

    static func nested(_ depth: Int, _ inner: [UInt8]) -> [UInt8] {
        (0..<depth).reduce(inner) { message, _ in Packet.relay(message) }
    }

    @Test func nestingDepth() {
        #expect(decode(Self.nested(32, solicit)) == nil)
        let e = decode(Self.nested(33, solicit))
        #expect(e?.kind == .relayTooDeep && e?.optionCode == 9)
    }

    @Test func noRelayMessage() {
        let bytes = [12, 0] + [UInt8](repeating: 0, count: 32) + Packet.interfaceID("x")
        #expect(decode(bytes)?.kind == .noRelayMessage)
        #expect(decode(Packet.relay(Packet.relay(solicit).dropLast(solicit.count + 4) + []))?.kind == .noRelayMessage)
    }

    @Test func clientIDOver130Bytes() {
        #expect(decode(Packet.relay(Packet.client(.solicit, Packet.option(1, [UInt8](repeating: 1, count: 130))))) == nil)
        let e = decode(Packet.relay(Packet.client(.solicit, Packet.option(1, [UInt8](repeating: 1, count: 131)))))
        #expect(e == DHCPv6DecodeError(.clientIDTooLong, optionCode: 1, offset: 38 + 4, messageOffset: 38))
    }

    /// Decode failures through the engine: no reply, the §5.10 reason, event fields as §9.2 says.
    @Test func engineReasons() {
        let f = Fixture()
        #expect(f.run(Array(Packet.relay(solicit).prefix(20))).outcome.reason == .parseError)
        #expect(f.run(solicit).outcome.reason == .parseError)
        let noMsg = f.run([12, 0] + [UInt8](repeating: 0, count: 32)).outcome
        #expect(noMsg.reason == .noRelayMessage && noMsg.event.xidText == "" && noMsg.event.messageType == nil)
        let long = f.run(Packet.relay(Packet.client(.solicit, xid: 0x0a0b0c, Packet.option(1, [UInt8](repeating: 1, count: 131)))))
        #expect(long.outcome.reason == .invalidClientID)
        #expect(long.outcome.event.xidText == "0a0b0c" && long.outcome.event.messageType == 1)
        #expect(long.outcome.event.clientID == nil)
    }

    /// Every proper prefix of a valid datagram is an error (never a trap, never a reply).
    @Test(arguments: [GoldenPacketTests.e, GoldenPacketTests.g])
    func everyTruncationIsRejected(hex: String) {
        let bytes = Packet.hex(hex)
        let f = Fixture()
        for length in 0..<bytes.count {
            let prefix = Array(bytes[..<length])
            #expect(decode(prefix) != nil, "prefix \(length)")
            #expect(!f.run(prefix).outcome.isReply)
        }
        #expect(decode(bytes) == nil)
    }

    /// 32 levels in, 32 Relay-reply levels out.
    @Test func deepestChainIsAnswered() throws {
        let (outcome, bytes) = Fixture().run(Self.nested(32, solicit))
        #expect(outcome.isReply)
        let r = try #require(DHCPv6Reply(bytes))
        #expect(r.levels.count == 32 && r.type == 2)
    }
}
