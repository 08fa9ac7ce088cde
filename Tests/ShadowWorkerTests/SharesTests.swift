import DHCPWireKit
import DHCPv4
import IPC
import Logging
import ShadowCore
import ShadowSystem
import Testing
@testable import ShadowWorker

/// The shares the master sends (`.shares`, docs/ipc.md "High availability") as the worker's batch
/// step applies them: the same datagrams, answered or not by the shares of the batch.
@Suite("v4 worker: HA shares per batch")
struct SharesTests {
    /// A relayed DISCOVER from `BindingRefreshTests.mac` (chaddr hash 94 → share 0 of 2), whose
    /// reservation is found through Option 82 and has one.
    static let discover: [UInt8] = {
        var p = DHCPv4PacketBuilder(type: .discover, mac: BindingRefreshTests.mac, giaddr: IPv4Address(127, 0, 0, 1))
        p.relayAgentInformation(circuit: "eth1:100", remote: "olt-7")
        return p.bytes
    }()

    static func shares(answering: UInt16) -> WorkerShares {
        WorkerShares(shares: ServiceShares(mode: .loadBalancing, serverCount: 2, primaryIndex: 0, answering: answering),
                     holdCorrelation: false)
    }

    /// Runs one batch of the DISCOVER through the handler's batch step; returns the replies queued,
    /// the bindings reported and the counters.
    static func batch(_ shares: WorkerShares) -> (replies: Int, learned: [MACAddress], counters: [Counter]) {
        var sink = WorkerSink(for: V4PacketHandler.self, logger: Logger(label: "test"), eventsEnabled: false)
        let sender = DatagramSender(capacity: 4, slotSize: 1500)
        discover.withUnsafeBytes { payload in
            let d = ReceivedDatagram(source: .v4(IPv4Address(127, 0, 0, 1), port: 67), length: payload.count, payload: payload)
            [d].withUnsafeBufferPointer { batch in
                BindingRefreshTests.handler.answer(batch: batch, snapshot: BindingRefreshTests.snapshot, bindings: BindingTable(),
                                                   shares: shares, sender: sender, sink: &sink)
            }
        }
        defer { sender.discardPending() }
        return (sender.pendingCount, sink.learned.map(\.mac), sink.counters.reported)
    }

    @Test("Standalone and the own share answer; a peer's share is silent, counted as drop.PeerShare, and learns")
    func sharesDecideWhatIsAnswered() {
        let standalone = Self.batch(.standalone)
        #expect(standalone.replies == 1)
        #expect(standalone.learned.isEmpty)  // an OFFER teaches nothing

        let own = Self.batch(Self.shares(answering: 0b01))
        #expect(own.replies == 1)
        #expect(own.counters.contains(Counter(name: "reply.Offer", value: 1)))

        let peers = Self.batch(Self.shares(answering: 0b10))
        #expect(peers.replies == 0)
        #expect(peers.counters == [Counter(name: "drop.PeerShare", value: 1), Counter(name: "received", value: 1)])
        #expect(peers.learned == [BindingRefreshTests.mac])

        // The peer is down: this server answers both shares again.
        #expect(Self.batch(Self.shares(answering: 0b11)).replies == 1)
    }
}
