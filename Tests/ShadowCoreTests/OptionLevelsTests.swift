import ShadowCore
import Testing

/// The merge of the three option levels (reservation over subnet over top, key by key, the
/// winner's always_send), seen through both sources the engines use: the levels looked up one by
/// one, and the table merged ahead of time.
@Suite("Option levels and tables")
struct OptionLevelsTests {
    typealias Entry = DHCPOptionSet.Entry

    static let top = DHCPOptionSet(entries: [Entry(code: 15, payload: [1], alwaysSend: true),
                                             Entry(code: 26, payload: [5, 0xDC], alwaysSend: true),
                                             Entry(code: 42, payload: [9, 9, 9, 9]),
                                             Entry(code: 300, payload: [3, 0, 0])])
    static let subnet = DHCPOptionSet(entries: [Entry(code: 15, payload: [2]), Entry(code: 66, payload: [6]),
                                                Entry(code: 299, payload: [], alwaysSend: true)], leaseTime: 7200)
    static let reservation = DHCPOptionSet(entries: [Entry(code: 42, payload: [1, 1, 1, 1], alwaysSend: true),
                                                     Entry(code: 66, payload: [7])], leaseTime: 86400)

    /// What a source says, code by code.
    static func view<S: DHCPOptionSource>(_ s: S) -> [(UInt16, [UInt8], Bool)] {
        var out: [(UInt16, [UInt8], Bool)] = []
        s.forEachValue { code, handle in
            out.append((code, s.withValue(handle) { Array($0) }, s.isAlwaysSend(handle)))
            return true
        }
        return out
    }

    static func alwaysSent<S: DHCPOptionSource>(_ s: S) -> [UInt16] {
        var out: [UInt16] = []
        s.forEachAlwaysSend { code, _ in out.append(code); return true }
        return out
    }

    @Test("Reservation over subnet over top, key by key; the winner's always_send and lease time")
    func merge() {
        let levels = DHCPOptionLevels(top: Self.top, subnet: Self.subnet, reservation: Self.reservation)
        let expected: [(UInt16, [UInt8], Bool)] = [(15, [2], false), (26, [5, 0xDC], true), (42, [1, 1, 1, 1], true),
                                                   (66, [7], false), (299, [], true), (300, [3, 0, 0], false)]
        for got in [Self.view(levels), Self.view(DHCPOptionTable(levels))] {
            #expect(got.map(\.0) == expected.map(\.0))
            #expect(got.map(\.1) == expected.map(\.1))
            #expect(got.map(\.2) == expected.map(\.2))
        }
        #expect(Self.alwaysSent(levels) == [26, 42, 299])
        #expect(Self.alwaysSent(DHCPOptionTable(levels)) == [26, 42, 299])
        #expect(levels.leaseTime == 86400 && DHCPOptionTable(levels).leaseTime == 86400)
        #expect(DHCPOptionLevels(top: Self.top, subnet: Self.subnet).leaseTime == 7200)
        #expect(DHCPOptionLevels(top: Self.top).leaseTime == nil)
    }

    @Test("Lookups by code agree, for one-byte and two-byte codes and absent ones")
    func lookups() {
        let levels = DHCPOptionLevels(top: Self.top, subnet: Self.subnet, reservation: Self.reservation)
        let table = DHCPOptionTable(levels)
        for code: UInt16 in [0, 15, 26, 42, 43, 66, 255, 299, 300, 301, 65535] {
            let a = levels.handle(of: code).map { h in levels.withValue(h) { Array($0) } }
            let b = table.handle(of: code).map { h in table.withValue(h) { Array($0) } }
            #expect(a == b, "code \(code)")
            let counts: (Int?, Int?) = (levels.handle(of: code).map { levels.valueCount($0) }, table.handle(of: code).map { table.valueCount($0) })
            #expect(counts.0 == counts.1)
        }
        #expect(levels.winner(code: 66)?.payload == [7])
        #expect(levels.merged.entries.count == 6)
        #expect(DHCPOptionTable(.empty).hasNoEntries && DHCPOptionLevels(top: .empty).hasNoEntries)
    }
}
