import IPC
import ShadowCore
import Testing
@testable import ShadowMaster

/// What the master tells the workers from the peers' states ops reports.
@Suite("HA: the master's shares")
struct PeerShareStateTests {
    static func settings(_ mode: HASettings.Mode, primary: String? = nil) -> HASettings {
        HASettings(thisServer: "dhcp-a", mode: mode, primary: primary, listen: .v4(.init(192, 0, 2, 1), port: 8548),
                   keyFile: "/etc/shadowdhcp/ha.key",
                   peers: [.init(name: "dhcp-b", address: .v4(.init(192, 0, 2, 2), port: 8548))])
    }

    @Test func untilTheFirstPullNothingOfTheSharesIsAnsweredAndV6Holds() {
        let state = PeerShareState(settings: Self.settings(.loadBalancing))
        #expect(state.workerShares.shares.answering == 0)
        #expect(state.workerShares.holdCorrelation)
        // active-active answers everyone at once; only the correlation waits.
        let aa = PeerShareState(settings: Self.settings(.activeActive)).workerShares
        #expect(aa.shares.answering == 0b11 && aa.holdCorrelation)
    }

    @Test func aDeadPeersShareIsTakenAndHandedBack() throws {
        var state = PeerShareState(settings: Self.settings(.loadBalancing))
        #expect(state.apply(PeerStates(livePeers: ["dhcp-b"], tableSynced: true)) == true)
        #expect(state.workerShares == WorkerShares(shares: ServiceShares(mode: .loadBalancing, serverCount: 2,
                                                                         primaryIndex: 0, answering: 0b01),
                                                   holdCorrelation: false))
        #expect(state.apply(PeerStates(livePeers: [], tableSynced: false)) == true)
        #expect(state.workerShares.shares.answering == 0b11)
        #expect(!state.workerShares.holdCorrelation, "the first pull is latched: a restarted ops does not hold again")
        #expect(state.apply(PeerStates(livePeers: [], tableSynced: true)) == false)
        #expect(state.apply(PeerStates(livePeers: ["dhcp-b"], tableSynced: true)) == true)
        #expect(state.workerShares.shares.answering == 0b01)
    }

    @Test func hotStandbyAnswersOnlyWhileThePrimaryIsDown() {
        var state = PeerShareState(settings: Self.settings(.hotStandby, primary: "dhcp-b"))
        _ = state.apply(PeerStates(livePeers: ["dhcp-b"], tableSynced: true))
        #expect(state.workerShares.shares.answering == 0)
        _ = state.apply(PeerStates(livePeers: [], tableSynced: true))
        #expect(state.workerShares.shares.answering == 0b10)  // dhcp-b's share (index 1), taken over
    }

    @Test func aPeerThatIsNotConfiguredIsRefused() {
        var state = PeerShareState(settings: Self.settings(.loadBalancing))
        #expect(state.apply(PeerStates(livePeers: ["dhcp-z"], tableSynced: true)) == nil)
        #expect(state.workerShares.holdCorrelation, "nothing of a refused report applies")
    }

    @Test func learnedBindingsGoToOpsInBatches() {
        var state = PeerShareState(settings: Self.settings(.activeActive))
        #expect(state.outgoingDue == nil)
        let record = BindingRecord(mac: MACAddress(value: 1), option82: Option82(circuit: "c"), lastSeen: 1)
        _ = state.queue(record, now: 1000)
        _ = state.queue(record, now: 1015)
        #expect(state.outgoingDue == 1000 + PeerShareState.handOverMilliseconds)
        let early = state.takeDue(now: 1019)
        #expect(early == nil)
        let due = state.takeDue(now: 1020)
        #expect(due?.count == 2)
        let again = state.takeDue(now: 9999)
        #expect(state.outgoingDue == nil && again == nil)
        // A full batch goes at once.
        for _ in 0..<PeerShareState.handOverBatch { _ = state.queue(record, now: 2000) }
        let full = state.takeDue(now: 2000)
        #expect(full?.count == PeerShareState.handOverBatch)
    }

    @Test func theOutgoingQueueDropsTheOldestHalfWhenFull() {
        var state = PeerShareState(settings: Self.settings(.activeActive))
        let record = BindingRecord(mac: MACAddress(value: 1), option82: Option82(circuit: "c"), lastSeen: 1)
        for _ in 0..<PeerShareState.outgoingLimit { #expect(state.queue(record) == 0) }
        #expect(state.queue(record) == PeerShareState.outgoingLimit / 2)
        #expect(state.outgoing.count == PeerShareState.outgoingLimit / 2 + 1)
        #expect(state.outgoingDropped == UInt64(PeerShareState.outgoingLimit / 2))
    }
}
