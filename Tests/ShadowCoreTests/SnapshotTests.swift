import Testing
@testable import ShadowCore

/// The upstream v4 test environment (docs/testing.md) plus v6 keys.
enum Fixture {
    static func reservation(_ v4: String, na: String, pd: String, mac: String? = nil, duid: String? = nil,
                            option82: Option82? = nil, option1837: Option1837? = nil) -> Reservation {
        Reservation(ipv4: IPv4Address(v4)!, ipv6NA: IPv6Address(na)!, ipv6PD: IPv6Prefix(pd)!,
                    mac: mac.flatMap { MACAddress($0) }, duid: duid.flatMap { DUID($0) },
                    option82: option82, option1837: option1837)
    }

    static let snapshot = ReservationSnapshot(reservations: [
        // 0: A — MAC only
        reservation("192.168.1.100", na: "2001:db8::100", pd: "2001:db8:100::/56", mac: "00:11:22:33:44:55"),
        // 1: B — Option 82 remote only
        reservation("192.168.1.200", na: "2001:db8::200", pd: "2001:db8:200::/56", option82: Option82(remote: "switch1:port1")),
        // 2: C — MAC and Option 82
        reservation("10.10.1.50", na: "2001:db8::50", pd: "2001:db8:50::/56", mac: "AA:BB:CC:DD:EE:FF",
                    option82: Option82(remote: "fallback-remote")),
        // 3: DUID + Option 18/37
        reservation("192.168.1.3", na: "2001:db8::3", pd: "2001:db8:3::/56", duid: "00:01:02:03",
                    option1837: Option1837(interface: "eth0/1", remote: "remote-id")),
        // 4: Option 82 circuit + remote, reachable over v6 only through a learned binding
        reservation("192.168.1.4", na: "2001:db8:1:6::1", pd: "2001:db8:1:7::/56",
                    option82: Option82(circuit: "99-11-22-33-44-55", remote: "eth2:100")),
        // 5: remote written as canonical MAC
        reservation("192.168.1.5", na: "2001:db8::5", pd: "2001:db8:5::/56", option82: Option82(remote: "AC-8B-A9-E2-17-F8")),
    ])

    static let allV4 = Option82Extractor.allCases
}

@Suite("Indexed snapshot and lookup orders")
struct SnapshotTests {
    let s = Fixture.snapshot

    @Test func counts() {
        #expect(s.count == 6)
        // mac: A, C; duid: 3; option82: B, C, 4, 5; option1837: 3
        #expect(s.keyCount == 8)
        #expect(s.keyCounts.mac == 2 && s.keyCounts.duid == 1 && s.keyCounts.option82 == 4 && s.keyCounts.option1837 == 1)
    }

    @Test func v4ByMAC() {
        let m = s.lookupV4(mac: MACAddress("00:11:22:33:44:55"), option82: nil, extractors: Fixture.allV4)
        #expect(m == ReservationMatch(index: 0, method: .mac, extractor: "chaddr"))
    }

    @Test func v4ByOption82() {
        let m = s.lookupV4(mac: MACAddress("02:00:00:00:00:01"), option82: Option82(remote: "switch1:port1"), extractors: Fixture.allV4)
        #expect(m == ReservationMatch(index: 1, method: .option82, extractor: "remote_only"))
    }

    @Test func v4MACBeatsOption82() {
        let m = s.lookupV4(mac: MACAddress("AA:BB:CC:DD:EE:FF"), option82: Option82(remote: "switch1:port1"), extractors: Fixture.allV4)
        #expect(m?.index == 2)
        #expect(m?.method == .mac)
    }

    @Test func v4FirstExtractorPresentInIndexWins() {
        // remote_only yields "ac8ba9e217f8/target" (not indexed); remote_first_12 then finds reservation 5.
        let wire = Option82(remote: "ac8ba9e217f8/target")
        let m = s.lookupV4(mac: nil, option82: wire, extractors: [.remoteOnly, .circuitOnly, .remoteFirst12, .normalizeRemoteMAC])
        #expect(m == ReservationMatch(index: 5, method: .option82, extractor: "remote_first_12"))
        // Order matters: normalize_remote_mac cannot parse it, so the result is the same with it first.
        let m2 = s.lookupV4(mac: nil, option82: wire, extractors: [.normalizeRemoteMAC, .remoteFirst12])
        #expect(m2?.extractor == "remote_first_12")
    }

    @Test func v4WholeTripleMatching() {
        // circuit + remote on the wire: remote_only builds {remote} only; the reservation with circuit+remote
        // needs circuit_and_remote.
        let wire = Option82(circuit: "99-11-22-33-44-55", remote: "eth2:100", subscriber: "x")
        #expect(s.lookupV4(mac: nil, option82: wire, extractors: [.remoteOnly, .circuitOnly]) == nil)
        #expect(s.lookupV4(mac: nil, option82: wire, extractors: [.remoteOnly, .circuitAndRemote])?.index == 4)
        // No extractors configured: Option 82 is never used.
        #expect(s.lookupV4(mac: nil, option82: Option82(remote: "switch1:port1"), extractors: []) == nil)
    }

    @Test func v4Nothing() {
        #expect(s.lookupV4(mac: MACAddress("02:00:00:00:00:09"), option82: nil, extractors: Fixture.allV4) == nil)
    }

    func v6(clientID: [UInt8]?, o1837: Option1837? = nil, o79: [UInt8]? = nil, peer: String = "::",
            macs: [MACExtractor] = [.clientLinklayerAddress], bindings: BindingTable = BindingTable()) -> ReservationMatch? {
        s.lookupV6(clientID: clientID.map { DUID(bytes: $0) }, option1837: o1837,
                   option1837Extractors: Option1837Extractor.allCases,
                   macInput: MACExtractionInput(clientLinkLayerOption: o79, peerAddress: IPv6Address(peer)!, clientID: clientID),
                   macExtractors: macs, bindings: bindings)
    }

    @Test func v6DUIDFirst() {
        let m = v6(clientID: [0, 1, 2, 3], o79: [0, 1, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55])
        #expect(m == ReservationMatch(index: 3, method: .duid, extractor: nil))
    }

    @Test func v6Option1837BeforeMAC() {
        let m = v6(clientID: [9, 9], o1837: Option1837(interface: "eth0/1", remote: "remote-id", enterpriseNumber: 7),
                   o79: [0, 1, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55])
        // interface_only {eth0/1} is not indexed; remote_only not either; interface_and_remote is.
        #expect(m == ReservationMatch(index: 3, method: .option1837, extractor: "interface_and_remote"))
    }

    @Test func v6ByMACExtractors() {
        #expect(v6(clientID: [9, 9], o79: [0, 1, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55])
                == ReservationMatch(index: 0, method: .mac, extractor: "client_linklayer_address"))
        #expect(v6(clientID: [9, 9], peer: "fe80::a8bb:ccff:fedd:eeff", macs: [.clientLinklayerAddress, .peerAddrEUI64])
                == ReservationMatch(index: 2, method: .mac, extractor: "peer_addr_eui64"))
        #expect(v6(clientID: [0, 3, 0, 1, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF], macs: [.duid])
                == ReservationMatch(index: 2, method: .mac, extractor: "duid"))
        // The extractor is not configured: no match.
        #expect(v6(clientID: [9, 9], peer: "fe80::a8bb:ccff:fedd:eeff") == nil)
    }

    @Test func v6BindingFallback() {
        let mac = MACAddress("00:11:22:33:44:66")!
        var table = BindingTable()
        table.learn(mac: mac, option82: Option82(circuit: "99-11-22-33-44-55", remote: "eth2:100"), now: 1)
        let m = v6(clientID: [0, 1], o79: [0, 1] + mac.bytes, bindings: table)
        #expect(m == ReservationMatch(index: 4, method: .option82, extractor: "lease_fallback"))
        // Without the binding, nothing.
        #expect(v6(clientID: [0, 1], o79: [0, 1] + mac.bytes) == nil)
        // A binding whose Option 82 is not (or no longer) a key: nothing.
        var stale = BindingTable()
        stale.learn(mac: mac, option82: Option82(remote: "gone"), now: 1)
        #expect(v6(clientID: [0, 1], o79: [0, 1] + mac.bytes, bindings: stale) == nil)
    }

    @Test func v6EachMACExtractorTriesMACThenBinding() {
        // First extractor's MAC has a binding; second extractor's MAC has a reservation: the binding wins,
        // because both steps run per extractor before moving to the next one.
        let first = MACAddress("02:00:00:00:00:01")!
        var table = BindingTable()
        table.learn(mac: first, option82: Option82(remote: "switch1:port1"), now: 1)
        let m = v6(clientID: [9, 9], o79: [0, 1] + first.bytes, peer: "fe80::a8bb:ccff:fedd:eeff",
                   macs: [.clientLinklayerAddress, .peerAddrEUI64], bindings: table)
        #expect(m == ReservationMatch(index: 1, method: .option82, extractor: "lease_fallback"))
    }
}

@Suite("MAC → Option 82 binding table")
struct BindingTableTests {
    let a = MACAddress("02:00:00:00:00:0A")!
    let b = MACAddress("02:00:00:00:00:0B")!
    let c = MACAddress("02:00:00:00:00:0C")!

    @Test func learnRefreshAndReplace() {
        var t = BindingTable(capacity: 10)
        let new = t.learn(mac: a, option82: Option82(remote: "r1"), now: 100)
        let same = t.learn(mac: a, option82: Option82(remote: "r1"), now: 200)
        #expect(new && !same)
        #expect(t.entry(for: a)?.lastSeen == 200)
        let replaced = t.learn(mac: a, option82: Option82(remote: "r2"), now: 300)
        #expect(replaced)
        #expect(t.option82(for: a) == Option82(remote: "r2"))
        #expect(t.count == 1)
    }

    @Test func evictsOldestFirst() {
        var t = BindingTable(capacity: 2)
        t.learn(mac: a, option82: Option82(remote: "a"), now: 1)
        t.learn(mac: b, option82: Option82(remote: "b"), now: 2)
        t.learn(mac: a, option82: Option82(remote: "a"), now: 3)   // refresh a: b is now the oldest
        t.learn(mac: c, option82: Option82(remote: "c"), now: 4)
        #expect(t.count == 2)
        #expect(t.option82(for: b) == nil)
        #expect(t.option82(for: a) != nil && t.option82(for: c) != nil)
        #expect(t.entriesOldestFirst.map(\.mac) == [a, c])
    }

    @Test func manyRefreshesStayBounded() {
        var t = BindingTable(capacity: 3)
        for i in 0..<10_000 {
            t.learn(mac: [a, b, c][i % 3], option82: Option82(remote: "x\(i % 3)"), now: UInt64(i))
        }
        #expect(t.count == 3)
        #expect(t.entriesOldestFirst.count == 3)
        // The last three learned were b (9997), c (9998), a (9999).
        t.remove(mac: b)
        #expect(t.entriesOldestFirst.map(\.mac) == [c, a])
    }
}

@Suite("Lease timers")
struct LeaseTimeTests {
    @Test func defaults() {
        let l = LeaseTimes()
        #expect((l.v4Lease, l.v4T1, l.v4T2) == (3600, 1800, 3150))
        #expect((l.v6Valid, l.v6Preferred, l.v6T1, l.v6T2) == (43200, 21600, 10800, 17280))
    }

    @Test(arguments: [7200, 21600, 43200, 86400] as [UInt32])
    func v6Derivation(_ valid: UInt32) {
        let l = LeaseTimes(v4Lease: 3600, v6Valid: valid)
        #expect(l.v6Preferred == valid / 2)
        #expect(l.v6T1 == valid / 4)
        #expect(l.v6T2 == valid / 2 * 4 / 5)
        #expect(l.v6T1 < l.v6T2 && l.v6T2 < l.v6Preferred && l.v6Preferred < l.v6Valid)
    }

    @Test func noOverflow() {
        let l = LeaseTimes(v4Lease: 4_000_000_000, v6Valid: 4_294_967_294)
        #expect(l.v4T2 == 3_500_000_000)
        #expect(l.v6Valid == 4_294_967_294)
        #expect(l.v6T2 == UInt32(UInt64(4_294_967_294) / 2 * 4 / 5))
        // The 12× default saturates at infinite.
        #expect(LeaseTimes(v4Lease: 400_000_000).v6Valid == LeaseTimes.infinite)
    }

    @Test func infinite() {
        let l = LeaseTimes(v4Lease: .max)
        #expect((l.v4Lease, l.v4T1, l.v4T2) == (.max, .max, .max))
        #expect((l.v6Valid, l.v6Preferred, l.v6T1, l.v6T2) == (.max, .max, .max, .max))
        let v6 = LeaseTimes(v4Lease: 3600, v6Valid: .max)
        #expect(v6.v6T1 == .max && v6.v6T2 == .max && v6.v4T1 == 1800)
    }
}
