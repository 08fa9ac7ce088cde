import Testing
@testable import ShadowCore

@Suite("HA: merging a peer's bindings")
struct BindingMergeTests {
    let mac = MACAddress(bytes: [0x02, 0, 0, 0, 0, 1])
    let old = Option82(circuit: "eth0/1", remote: "r1")
    let new = Option82(circuit: "eth0/2", remote: "r1")

    @Test("The newer binding wins, whichever side has it")
    func newerWins() {
        var t = BindingTable()
        let first = t.merge(mac: mac, .init(option82: old, lastSeen: 100))
        #expect(first)
        let newer = t.merge(mac: mac, .init(option82: new, lastSeen: 200))
        #expect(newer)
        #expect(t.entry(for: mac) == .init(option82: new, lastSeen: 200))
        let older = t.merge(mac: mac, .init(option82: old, lastSeen: 150))
        #expect(!older)
        #expect(t.entry(for: mac) == .init(option82: new, lastSeen: 200))
    }

    @Test("A tie settles on the same binding on both sides")
    func tie() {
        var a = BindingTable(), b = BindingTable()
        a.learn(mac: mac, option82: old, now: 100)
        b.learn(mac: mac, option82: new, now: 100)
        a.merge(mac: mac, b.entry(for: mac)!)
        b.merge(mac: mac, a.entry(for: mac)!)
        #expect(a.entry(for: mac) == b.entry(for: mac))
        #expect(a.entry(for: mac)?.option82 == old)   // "eth0/1" sorts first
        let same = a.merge(mac: mac, .init(option82: old, lastSeen: 100))
        #expect(!same)
    }

    @Test("Absent fields sort first")
    func absentFirst() {
        #expect(BindingTable.sortsFirst(Option82(remote: "x"), Option82(circuit: "a", remote: "x")))
        #expect(!BindingTable.sortsFirst(Option82(circuit: "a"), Option82(remote: "a")))
        #expect(!BindingTable.sortsFirst(old, old))
    }
}
