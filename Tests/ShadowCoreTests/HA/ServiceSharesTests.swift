import Testing
@testable import ShadowCore

@Suite("HA: who answers which share")
struct ServiceSharesTests {
    static func settings(_ me: String, _ others: [String], mode: HASettings.Mode, primary: String? = nil) -> HASettings {
        HASettings(thisServer: me, mode: mode, primary: primary, listen: SocketAddress("192.0.2.1:8548")!,
                   keyFile: "/etc/shadowdhcp/ha.key",
                   peers: others.enumerated().map { i, n in
                       HASettings.Peer(name: n, address: SocketAddress("192.0.2.\(2 + i):8548")!)
                   })
    }

    @Test("Active-active answers everybody, whoever is up")
    func activeActive() {
        let s = ServiceShares(settings: Self.settings("dhcp-a", ["dhcp-b"], mode: .activeActive), up: [])
        #expect(s.answers(shareOf: [1, 2, 3]))
        #expect(s.answeringNames(Self.settings("dhcp-a", ["dhcp-b"], mode: .activeActive)) == ["dhcp-a", "dhcp-b"])
    }

    @Test("Load-balancing: own share; a dead peer's share too; handed back when it returns")
    func loadBalancing() {
        let a = Self.settings("dhcp-a", ["dhcp-b"], mode: .loadBalancing)
        let b = Self.settings("dhcp-b", ["dhcp-a"], mode: .loadBalancing)
        let bothUpA = ServiceShares(settings: a, up: ["dhcp-b"])
        let bothUpB = ServiceShares(settings: b, up: ["dhcp-a"])
        #expect(bothUpA.answeringNames(a) == ["dhcp-a"])
        #expect(bothUpB.answeringNames(b) == ["dhcp-b"])
        // Every key is answered by exactly one of the two.
        for k in 0..<512 {
            let key: [UInt8] = [UInt8(k & 0xFF), UInt8(k >> 8), 7]
            #expect(bothUpA.answers(shareOf: key) != bothUpB.answers(shareOf: key))
        }
        let aAlone = ServiceShares(settings: a, up: [])
        #expect(aAlone.answeringNames(a) == ["dhcp-a", "dhcp-b"])
        #expect(ServiceShares(settings: a, up: ["dhcp-b"]) == bothUpA)
    }

    @Test("Load-balancing with three: a dead peer's share goes to the next live server by name only")
    func successor() {
        let names = ["dhcp-a", "dhcp-b", "dhcp-c"]
        func shares(_ me: String, up: Set<String>) -> [String] {
            let s = Self.settings(me, names.filter { $0 != me }, mode: .loadBalancing)
            return ServiceShares(settings: s, up: up).answeringNames(s)
        }
        // dhcp-b is down: its share is dhcp-c's (next after b), not dhcp-a's.
        #expect(shares("dhcp-a", up: ["dhcp-c"]) == ["dhcp-a"])
        #expect(shares("dhcp-c", up: ["dhcp-a"]) == ["dhcp-b", "dhcp-c"])
        // dhcp-c is down: wraps round to dhcp-a.
        #expect(shares("dhcp-a", up: ["dhcp-b"]) == ["dhcp-a", "dhcp-c"])
    }

    @Test("Hot-standby: the primary answers; the standby only while it is down")
    func hotStandby() {
        let a = Self.settings("dhcp-a", ["dhcp-b"], mode: .hotStandby, primary: "dhcp-b")
        let b = Self.settings("dhcp-b", ["dhcp-a"], mode: .hotStandby, primary: "dhcp-b")
        #expect(!ServiceShares(settings: a, up: ["dhcp-b"]).answers(shareOf: [1]))
        #expect(ServiceShares(settings: b, up: ["dhcp-a"]).answers(shareOf: [1]))
        #expect(ServiceShares(settings: b, up: []).answers(shareOf: [1]))
        #expect(ServiceShares(settings: a, up: []).answers(shareOf: [1]))
        #expect(ServiceShares(settings: a, up: []).answeringNames(a) == ["dhcp-b"])
    }

    @Test("Standalone answers everyone")
    func standalone() {
        #expect(ServiceShares.standalone.answers(shareOf: [9, 9, 9]))
    }
}
