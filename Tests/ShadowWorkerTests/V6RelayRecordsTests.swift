import DHCPWireKit
import DHCPv6
import ShadowCore
import Testing
@testable import ShadowWorker

/// The v6 worker's leasequery memory (docs/leasequery.md, "Memory"): relay records in bounded
/// slots, moved over snapshot swaps, and the address index.
@Suite("worker: leasequery relay records and address index")
struct V6RelayRecordsTests {
    static func relayed(_ duid: String, link: String = "2001:db8:a::1") -> [UInt8] {
        DHCPv6Packet.relay(DHCPv6Packet.solicit(duid: DUID(duid)!, xid: 1), link: link, peer: "fe80::1",
                           extra: [DHCPv6Packet.remoteID(enterprise: 9, "r")])
    }

    static func record(_ r: V6RelayRecords, _ index: Int, _ duid: String) {
        relayed(duid).withUnsafeBytes {
            r.record(index, clientID: InlineBytes(DUID(duid)!.bytes), datagram: $0, relay: IPv6Address("2001:db8:ffff::1")!)
        }
    }

    @Test func aRecordKeepsTheDUIDAndTheChainWithoutTheClientMessage() throws {
        let r = V6RelayRecords(reservations: 10)
        Self.record(r, 3, "00:03:00:01:00:00:00:00:00:03")
        let got = try #require(r.recorded(3))
        #expect(got.clientID == DUID("00:03:00:01:00:00:00:00:00:03")!.bytes)
        #expect(got.relay?.peerAddress == IPv6Address("2001:db8:ffff::1")!)
        #expect(got.relay?.linkAddress == IPv6Address("2001:db8:a::1")!)
        #expect(got.relay?.message.count == 34 + 4 + 5)
        #expect(r.recorded(2) == nil)
        #expect(DUID("00:03:00:01:00:00:00:00:00:03")!.bytes.withUnsafeBytes { r.reservation(clientID: $0) } == 3)
    }

    @Test func slotsAreReusedInTurnWhenMoreClientsAreServedThanThereAreSlots() {
        let r = V6RelayRecords(reservations: 5, capacity: 2)
        for i in 0..<3 { Self.record(r, i, "00:03:00:01:00:00:00:00:00:0\(i)") }
        #expect(r.recorded(0) == nil)  // its slot went to reservation 2
        #expect(r.recorded(1) != nil && r.recorded(2) != nil)
        Self.record(r, 1, "00:03:00:01:00:00:00:00:00:01")  // same client: same slot
        #expect(r.recorded(2) != nil)
        #expect(r.byteCount == 2 * 260 + 5 * 4)
    }

    @Test func recordsFollowTheirReservationOverASnapshotSwap() {
        let r = V6RelayRecords(reservations: 3)
        Self.record(r, 0, "00:03:00:01:00:00:00:00:00:00")
        Self.record(r, 2, "00:03:00:01:00:00:00:00:00:02")
        // New snapshot: old 2 is now 0, old 0 changed (dropped), one new reservation.
        r.remap([2, -1, -1, 1])
        #expect(r.recorded(0)?.clientID == DUID("00:03:00:01:00:00:00:00:00:02")!.bytes)
        #expect(r.recorded(1) == nil && r.recorded(2) == nil && r.recorded(3) == nil)
        #expect(r.recordedReservations == [0])
    }

    @Test func theAddressIndexFindsAddressesAndAddressesInsideDelegatedPrefixes() {
        let reservations = (1...50).map { n in
            Reservation(ipv4: IPv4Address("198.51.100.\(n)")!, ipv6NA: IPv6Address("2001:db8:1::\(String(101 - n, radix: 16))")!,
                        ipv6PD: IPv6Prefix("2001:db8:\(String(n, radix: 16))00::/56")!)
        }
        let snapshot = ReservationSnapshot(reservations: reservations)
        let index = V6AddressIndex(snapshot)
        #expect(index.reservation(holding: IPv6Address("2001:db8:1::64")!) == 0)
        #expect(index.reservation(holding: IPv6Address("2001:db8:1::33")!) == 49)
        #expect(index.reservation(holding: IPv6Address("2001:db8:500:ff::1")!) == 4)
        #expect(index.reservation(holding: IPv6Address("2001:db8:1::ff")!) == nil)
        #expect(index.reservation(holding: IPv6Address("2001:db8:5ff::1")!) == nil)
        #expect(V6AddressIndex.ordered([0, 49, 10], in: snapshot) == [49, 10, 0])
    }
}
