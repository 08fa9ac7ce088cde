import ShadowCore
import Testing

/// The options of a ``DHCPOptionTable`` kept ready for the wire (``DHCPOptionTable/unsafeV4Wire``,
/// ``DHCPOptionTable/unsafeV6Wire``): what a reply copies as is.
@Suite("Option tables: the wire forms")
struct OptionWireTests {
    typealias Entry = DHCPOptionSet.Entry

    static let long = (0..<300).map { UInt8(truncatingIfNeeded: $0) }
    static let table = DHCPOptionTable(DHCPOptionSet(entries: [
        Entry(code: 15, payload: Array("example.net".utf8)),
        Entry(code: 43, payload: []),
        Entry(code: 121, payload: long, alwaysSend: true),
        Entry(code: 300, payload: [1, 2, 3]),
    ]))

    static func bytes(_ wire: DHCPOptionWire, _ code: UInt16) -> [UInt8]? {
        wire.position(of: code).map { Array(wire.option(at: $0)) }
    }

    @Test("DHCPv4: code, length, value; over 255 bytes split as RFC 3396 says; empty as one instance; no code above 255")
    func v4() {
        withExtendedLifetime(Self.table) { let w = Self.table.unsafeV4Wire
        let name: [UInt8] = [15, 11] + Array("example.net".utf8)
        #expect(Self.bytes(w, 15) == name)
        #expect(Self.bytes(w, 43) == [43, 0])
        let split: [UInt8] = [121, 255] + Array(Self.long[0..<255]) + [121, 45] + Array(Self.long[255...])
        #expect(Self.bytes(w, 121) == split)
        #expect(Self.bytes(w, 300) == [])
        #expect(w.position(of: UInt8(66)) == nil && w.position(of: UInt16(301)) == nil)
        #expect(w.alwaysSendMask == 1 << 2 && Array(w.codes) == [15, 43, 121, 300])
        }
    }

    @Test("DHCPv6: code and length on 16 bits each, then the value")
    func v6() {
        withExtendedLifetime(Self.table) { let w = Self.table.unsafeV6Wire
        let name: [UInt8] = [0, 15, 0, 11] + Array("example.net".utf8)
        #expect(Self.bytes(w, 15) == name)
        #expect(Self.bytes(w, 43) == [0, 43, 0, 0])
        let long: [UInt8] = [0, 121, 1, 44] + Self.long
        #expect(Self.bytes(w, 121) == long)
        #expect(Self.bytes(w, 300) == [1, 44, 0, 3, 1, 2, 3])
        }
    }

    @Test("An empty table has empty views")
    func empty() {
        let table = DHCPOptionTable(.empty)
        withExtendedLifetime(table) { let w = table.unsafeV6Wire
            #expect(w.count == 0 && w.position(of: UInt8(1)) == nil && w.alwaysSendMask == 0)
        }
    }
}
