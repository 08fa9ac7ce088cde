import DHCPWireKit
import DHCPv4
import ShadowCore
import Testing

/// The decoder: typed errors for malformed input, and the option rules (Pad skipped, last wins).
@Suite("DHCPv4 decoding")
struct DecodeTests {
    static func decode(_ bytes: [UInt8]) -> Result<DHCPv4MessageType?, DHCPv4DecodeError> {
        bytes.withUnsafeBytes { raw in
            do throws(DHCPv4DecodeError) {
                return .success(try DHCPv4Message(decoding: raw).messageType)
            } catch {
                return .failure(error)
            }
        }
    }

    static func discover(_ edit: (inout DHCPv4PacketBuilder) -> Void) -> [UInt8] {
        var p = World.packet(.discover)
        edit(&p)
        return p.bytes
    }

    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var bytes: [UInt8]
        var error: DHCPv4DecodeError
    }

    static let malformed: [Case] = [
        Case(description: "short header", bytes: Array(discover { _ in }.prefix(239)),
             error: DHCPv4DecodeError(.truncatedHeader, offset: 239)),
        Case(description: "bad magic cookie", bytes: discover { $0.magicCookie = 0x6382_5364 },
             error: DHCPv4DecodeError(.badMagicCookie, offset: 236)),
        Case(description: "hlen 17", bytes: discover { $0.hlen = 17 },
             error: DHCPv4DecodeError(.hardwareAddressTooLong, offset: 2)),
        Case(description: "option length overrun", bytes: discover { $0.omitEnd = true; $0.trailer = [12, 50, 65, 66] },
             error: DHCPv4DecodeError(.optionOverrun, optionCode: 12, offset: 243)),
        Case(description: "length byte missing", bytes: discover { $0.omitEnd = true; $0.trailer = [12] },
             error: DHCPv4DecodeError(.optionOverrun, optionCode: 12, offset: 243)),
        Case(description: "no End", bytes: discover { $0.omitEnd = true },
             error: DHCPv4DecodeError(.missingEnd, offset: 243)),
        Case(description: "no End after Pad", bytes: discover { $0.omitEnd = true; $0.trailer = [0, 0] },
             error: DHCPv4DecodeError(.missingEnd, offset: 245)),
        Case(description: "overload (52)", bytes: discover { $0.add(52, [3]) },
             error: DHCPv4DecodeError(.optionOverload, optionCode: 52, offset: 243)),
        Case(description: "53 of length 2", bytes: discover { $0.add(53, [1, 1]) },
             error: DHCPv4DecodeError(.invalidOptionLength, optionCode: 53, offset: 243)),
        Case(description: "54 of length 3", bytes: discover { $0.add(54, [1, 1, 1]) },
             error: DHCPv4DecodeError(.invalidOptionLength, optionCode: 54, offset: 243)),
        Case(description: "Option 82 sub-option overrun", bytes: discover { $0.add(82, [1, 1, 65, 2, 9, 66]) },
             error: DHCPv4DecodeError(.subOptionOverrun, optionCode: 82, subOptionCode: 2, offset: 248)),
        Case(description: "Option 82 sub-option length byte missing", bytes: discover { $0.add(82, [6]) },
             error: DHCPv4DecodeError(.subOptionOverrun, optionCode: 82, subOptionCode: 6, offset: 245)),
        Case(description: "sub-option 11 of length 3", bytes: discover { $0.add(82, [11, 3, 1, 2, 3]) },
             error: DHCPv4DecodeError(.invalidSubOptionLength, optionCode: 82, subOptionCode: 11, offset: 245)),
        Case(description: "sub-option 5 of length 5", bytes: discover { $0.add(82, [5, 5, 1, 2, 3, 4, 5]) },
             error: DHCPv4DecodeError(.invalidSubOptionLength, optionCode: 82, subOptionCode: 5, offset: 245)),
    ]

    @Test("Malformed input is a typed error with the option code and offset", arguments: malformed)
    func malformedInput(c: Case) {
        #expect(Self.decode(c.bytes) == .failure(c.error))
    }

    @Test("Malformed input through the engine: ParseError event, no reply", arguments: malformed)
    func malformedThroughEngine(c: Case) {
        let x = World.exchange(bytes: c.bytes)
        #expect(x.reason == .parseError)
        #expect(x.outcome.decodeError == c.error)
        #expect(x.outcome.event.messageTypeCode == nil)
        #expect(x.outcome.event.mac == nil)
        #expect(x.outcome.logLines.first?.level == .error)
    }

    @Test("Empty datagram and garbage after End")
    func edges() {
        #expect(Self.decode([]) == .failure(DHCPv4DecodeError(.truncatedHeader, offset: 0)))
        #expect(Self.decode(Self.discover { $0.trailer = [1, 200, 7] }) == .success(.discover))
    }

    @Test("Pad is skipped; a repeated option's last instance wins")
    func padAndLastWins() {
        let bytes = Self.discover { p in
            p.options = [.init(code: 53, payload: [1]), .init(code: 0, payload: []),
                         .init(code: 53, payload: [3])]
        }
        // The builder writes Pad as code 0 with a length byte 0: two Pad bytes.
        #expect(Self.decode(bytes) == .success(.request))
    }

    @Test("Option 82: repeated sub-options and repeated options, last wins; all six sub-options read")
    func relayAgentInformationView() throws {
        var p = World.packet(.discover)
        p.relayAgentInformation(circuit: "old")
        p.relayAgentInformation([(1, Array("c1".utf8)), (1, Array("c2".utf8)), (2, Array("r".utf8)),
                                 (5, [10, 1, 2, 0]), (6, Array("s".utf8)), (11, [10, 0, 0, 9]), (19, [])])
        let bytes = p.bytes
        try bytes.withUnsafeBytes { raw in
            let m = try DHCPv4Message(decoding: raw)
            let relay = try #require(m.relayAgentInformation)
            #expect(relay.option82 == Option82(circuit: "c2", remote: "r", subscriber: "s"))
            #expect(relay.linkSelection == IPv4Address(10, 1, 2, 0))
            #expect(relay.serverIdentifierOverride == IPv4Address(10, 0, 0, 9))
            #expect(relay.hasRelaySourcePort)
            #expect(Array(relay.payload) == p.options.last?.payload)
            #expect(m.option(82).map { Array($0) } == p.options.last?.payload)
        }
    }

    @Test("Option 82 text follows Option82(wireCircuit:wireRemote:wireSubscriber:): non-empty UTF-8 only",
          arguments: [[UInt8](), [0xFF, 0x41], Array("café".utf8), Array("eth0\u{0}".utf8), [0xC3]])
    func option82Text(value: [UInt8]) throws {
        var p = World.packet(.discover)
        p.relayAgentInformation([(1, value), (2, value), (6, value)])
        let bytes = p.bytes
        try bytes.withUnsafeBytes { raw in
            let relay = try #require(try DHCPv4Message(decoding: raw).relayAgentInformation)
            #expect(relay.option82 == Option82(wireCircuit: value, wireRemote: value, wireSubscriber: value))
        }
    }

    @Test("A datagram over 65535 bytes is rejected, not misread")
    func oversized() {
        var bytes = Self.discover { _ in }
        bytes += [UInt8](repeating: 0, count: 65536 - bytes.count)
        #expect(Self.decode(bytes) == .failure(DHCPv4DecodeError(.oversized, offset: 65535)))
    }

    @Test("Header accessors and chaddr views")
    func header() throws {
        var p = World.packet(.discover)
        p.xid = 0x0102_0304; p.secs = 7; p.flags = 0x8000; p.hops = 2
        p.ciaddr = IPv4Address(1, 2, 3, 4); p.hlen = 16
        p.chaddr = Array(1...16)
        let bytes = p.bytes
        try bytes.withUnsafeBytes { raw in
            let m = try DHCPv4Message(decoding: raw)
            #expect(m.op == 1 && m.htype == 1 && m.hops == 2 && m.xid == 0x0102_0304 && m.secs == 7)
            #expect(m.flags == 0x8000 && m.ciaddr == IPv4Address(1, 2, 3, 4) && m.giaddr == World.relay)
            #expect(Array(m.clientHardwareAddress) == Array(1...16))
            #expect(m.clientMAC == nil)
        }
    }

    @Test("hlen other than 6 is NoValidMac (0 and 16 decode fine)", arguments: [UInt8(0), 5, 16])
    func hlenNotSix(hlen: UInt8) {
        var p = World.packet(.discover)
        p.hlen = hlen
        #expect(World.exchange(p).reason == .noValidMac)
    }
}
