import IPC
import ShadowCore
import Testing
@testable import ShadowMaster

/// What the master stores of a worker's learned bindings (docs/privileges.md, "The master
/// distrusts its workers").
@Suite struct BindingAdmissionTests {
    let snapshot = ReservationSnapshot(reservations: [
        Reservation(ipv4: IPv4Address(192, 0, 2, 10), ipv6NA: IPv6Address("2001:db8::10")!,
                    ipv6PD: IPv6Prefix("2001:db8:100::/56")!, option82: Option82(circuit: "olt-1/1", remote: "r-1")),
    ])
    let mac = MACAddress(bytes: [0x02, 0, 0, 0, 0, 1])

    @Test func tenThousandASecondThenRefused() {
        var a = BindingAdmission()
        func take(_ now: UInt64) -> Bool { a.withinRate(nowMilliseconds: now) }
        for _ in 0..<10_000 { #expect(take(5_000)) }
        #expect(!take(5_000))
        // 100 ms refill 1,000.
        for _ in 0..<1_000 { #expect(take(5_100)) }
        #expect(!take(5_100))
        // A clock that steps back refills nothing and breaks nothing.
        #expect(!take(4_000))
        // Long idle refills only up to one second's worth.
        for _ in 0..<10_000 { #expect(take(60_000)) }
        #expect(!take(60_000))
    }

    @Test(arguments: [
        (Option82(circuit: "olt-1/1", remote: "r-1"), nil),
        (Option82(circuit: "olt-9/9"), BindingAdmission.Refusal.notReserved),
        (Option82(circuit: "olt-1/1"), BindingAdmission.Refusal.notReserved),
        (Option82(circuit: ""), BindingAdmission.Refusal.badField),
        (Option82(), BindingAdmission.Refusal.badField),
        (Option82(circuit: String(repeating: "x", count: 256)), BindingAdmission.Refusal.badField),
        (Option82(remote: String(repeating: "x", count: 255)), BindingAdmission.Refusal.notReserved),
    ])
    func onlyAReservedOption82WithFieldsOf1To255Bytes(option82: Option82, refusal: BindingAdmission.Refusal?) {
        var a = BindingAdmission()
        let got = a.check(BindingLearned(mac: mac, option82: option82), snapshot: snapshot, nowMilliseconds: 1)
        #expect(got == refusal)
    }

    @Test func everyStorableBindingFitsATableTransfer() throws {
        let longest = Option82(circuit: String(repeating: "c", count: 255), remote: String(repeating: "r", count: 255),
                               subscriber: String(repeating: "s", count: 255))
        #expect(BindingAdmission.isStorable(longest))
        let records = (0..<100).map { BindingRecord(mac: mac, option82: longest, lastSeen: UInt64($0)) }
        let messages = try BindingTableTransfer.messages(for: records, tableGeneration: 1)
        #expect(messages.count >= 3)
    }
}
