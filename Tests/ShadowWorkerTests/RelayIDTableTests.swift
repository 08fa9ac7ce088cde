import Testing
@testable import ShadowWorker

/// The relay identifiers of the reservations' last ACKs (bulk leasequery by relay identifier).
@Suite("Relay identifier table")
struct RelayIDTableTests {
    @Test func recordsClearsAndCarriesOverUnchangedEntries() {
        let t = RelayIDTable(count: 4)
        ([0xAA, 0x01] as [UInt8]).withUnsafeBytes { t.record(0, relayID: $0) }
        ([0xAA, 0x01] as [UInt8]).withUnsafeBytes { t.record(2, relayID: $0) }
        ([0xBB] as [UInt8]).withUnsafeBytes { t.record(3, relayID: $0) }
        #expect(t.reservations(relayID: [0xAA, 0x01]) == [0, 2])
        #expect(t.reservations(relayID: [0xCC]) == [])
        t.clear(2)
        #expect(t.reservations(relayID: [0xAA, 0x01]) == [0])
        // A new snapshot: old 3 is now 0, old 0 is gone, a new entry at 1.
        let next = t.carried(over: [3, -1])
        #expect(next.reservations(relayID: [0xBB]) == [0])
        #expect(next.reservations(relayID: [0xAA, 0x01]) == [])
        ([0xAA, 0x01] as [UInt8]).withUnsafeBytes { next.record(1, relayID: $0) }
        #expect(next.reservations(relayID: [0xAA, 0x01]) == [1])
        ([0xAA] as [UInt8]).withUnsafeBytes { next.record(9, relayID: $0) }  // beyond the snapshot: ignored
    }
}
