import Foundation
import IPC
import Logging
import NIOCore
import NIOPosix
import ShadowCore
import ShadowSystem
import Synchronization
import Testing
@testable import ShadowOperations

/// A master as the peer channel sees it: records what it is sent, answers from fixed state.
final class FakePeerMaster: PeerMasterLink {
    struct State {
        var states: [PeerStates] = []
        var bindings: [BindingRecord] = []
        var table: [BindingRecord] = []
        var digest: UInt64 = 0xABC
        var count = 0
        var events: [String] = []
    }

    let state = Mutex(State())

    func sendPeerStates(_ states: PeerStates) { state.withLock { $0.states.append(states) } }
    func sendPeerBindings(_ records: [BindingRecord]) { state.withLock { $0.bindings += records } }
    func bindingCount() async -> Int? { state.withLock { $0.count } }
    func bindingTable() async -> [BindingRecord]? { state.withLock { $0.table } }
    func liveSnapshot() -> (generation: UInt64, digest: UInt64)? { state.withLock { (1, $0.digest) } }

    var lastStates: PeerStates? { state.withLock { $0.states.last } }
    var received: [BindingRecord] { state.withLock { $0.bindings } }
}

/// One server of a test pair: its manager, its fake master, the events it wrote.
struct TestPeer {
    let manager: PeerManager
    let master: FakePeerMaster
    let port: UInt16
    var events: [String] { master.state.withLock { $0.events } }

    func report() async -> PeersReport { await manager.report()! }
    func peerState() async -> PeerState { await report().peers[0].state }
}

/// Two PeerManagers on loopback (dhcp-a, dhcp-b), each listening on an ephemeral port.
@Suite("HA peer channel: two managers on loopback", .serialized)
struct PeerManagerTests {
    static let key = Array(repeating: UInt8(7), count: 32)
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    static func record(_ n: UInt8) -> BindingRecord {
        BindingRecord(mac: MACAddress(bytes: [0x02, 0, 0, 0, 0, n]), option82: Option82(circuit: "eth\(n)", remote: "olt"),
                      lastSeen: 1_700_000_000 + UInt64(n))
    }

    static func listener() throws -> (CInt, UInt16) {
        let fd = try StreamListener.bindTCP(.v4(IPv4Address("127.0.0.1")!, port: 0))
        guard case .v4(_, let port) = try UDPSocket.localAddress(of: fd) else { fatalError() }
        return (fd.rawValue, port)
    }

    /// Managers for dhcp-a and dhcp-b, not started.
    static func pair(keyB: [UInt8] = key, syncedA: Bool = true, syncedB: Bool = true,
                     tweak: (inout PeerManager.Configuration) -> Void = { _ in }) throws -> (TestPeer, TestPeer) {
        let (fdA, portA) = try listener()
        let (fdB, portB) = try listener()
        func make(_ me: String, _ other: String, otherPort: UInt16, fd: CInt, port: UInt16, key: [UInt8],
                  synced: Bool) -> TestPeer {
            let settings = HASettings(
                thisServer: me, listen: .v4(IPv4Address("127.0.0.1")!, port: port), keyFile: "/k",
                peers: [.init(name: other, address: .v4(IPv4Address("127.0.0.1")!, port: otherPort))],
                heartbeatMilliseconds: 100, maxMissedHeartbeats: 5)
            var c = PeerManager.Configuration(settings: settings, key: key, tableSynced: synced, listener: fd)
            c.redialInterval = .milliseconds(200)
            c.handshakeTimeout = .seconds(1)
            tweak(&c)
            let master = FakePeerMaster()
            var logger = Logger(label: "ha-test")
            logger.logLevel = ProcessInfo.processInfo.environment["HA_TEST_LOG"] != nil ? .debug : .critical
            let manager = PeerManager(configuration: c, master: master, eventLoop: group.next(), logger: logger,
                                      events: { line in master.state.withLock { $0.events.append(line) } })
            return TestPeer(manager: manager, master: master, port: port)
        }
        return (make("dhcp-a", "dhcp-b", otherPort: portB, fd: fdA, port: portA, key: key, synced: syncedA),
                make("dhcp-b", "dhcp-a", otherPort: portA, fd: fdB, port: portB, key: keyB, synced: syncedB))
    }

    @Test("Heartbeats both ways: each sees the other up and live, and says so to its master")
    func heartbeatsBringBothUp() async throws {
        let (a, b) = try Self.pair()
        try await a.manager.start()
        try await b.manager.start()
        #expect(await eventually(timeout: .seconds(5)) {
            let sa = await a.peerState()
            let sb = await b.peerState()
            return sa == .up && sb == .up
        })
        #expect(a.master.lastStates == PeerStates(livePeers: ["dhcp-b"], tableSynced: true))
        let r = await a.report()
        #expect(r.peers[0].snapshotDigestMatch == true && r.peers[0].snapshotGeneration == 1)
        #expect(r.answering == ["dhcp-a", "dhcp-b"])  // active-active
        #expect(a.events.contains { $0.contains(#""event_type":"ha_peer""#) && $0.contains(#""state":"up""#) })
        await a.manager.stop()
        await b.manager.stop()
    }

    @Test("Bindings learned by one server reach the other within 1 s")
    func bindingsArrive() async throws {
        let (a, b) = try Self.pair()
        try await a.manager.start()
        try await b.manager.start()
        #expect(await eventually(timeout: .seconds(5)) { await a.peerState() == .up })
        let records = (1...5).map { Self.record($0) }
        a.manager.localBindings(records)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(await eventually(timeout: .seconds(1)) { b.master.received == records })
        #expect(clock.now - start < .seconds(1))
        #expect(await a.report().peers[0].bindingsSent == 5)
        #expect(await b.report().peers[0].bindingsReceived == 5)
        await a.manager.stop()
        await b.manager.stop()
    }

    @Test("Bindings wait in a bounded queue while the peer is away (oldest dropped, counted), sent on connect")
    func queueWhileAway() async throws {
        let (a, b) = try Self.pair { $0.queueLimit = 3 }
        try await a.manager.start()
        a.manager.localBindings((1...5).map { Self.record($0) })
        #expect(await eventually(timeout: .seconds(2)) { await a.report().peers[0].queueDropped == 2 })
        try await b.manager.start()
        #expect(await eventually(timeout: .seconds(5)) { b.master.received == (3...5).map { Self.record($0) } })
        await a.manager.stop()
        await b.manager.stop()
    }

    @Test("At start a server pulls its peer's table, forwards it to its master, then serves")
    func tablePull() async throws {
        // The give-up must not win on a loaded machine: the pull is what is tested here.
        let (a, b) = try Self.pair(syncedA: false) { $0.tablePullTimeout = .seconds(60) }
        let table = (1...3).map { Self.record($0) }
        b.master.state.withLock { $0.table = table }
        try await a.manager.start()
        #expect(a.master.lastStates?.tableSynced == false)
        #expect(await a.report().answering == ["dhcp-a", "dhcp-b"])  // active-active answers while syncing
        try await b.manager.start()
        #expect(await eventually(timeout: .seconds(20)) { a.master.lastStates?.tableSynced == true })
        #expect(a.master.received == table)
        #expect(await a.report().tableSynced)
        await a.manager.stop()
        await b.manager.stop()
    }

    @Test("Alone: the silent peer counts as live until heartbeat × missed, the pull gives up after its timeout")
    func alone() async throws {
        let (a, _) = try Self.pair(syncedA: false) {
            $0.tablePullTimeout = .milliseconds(500)
            $0.settings.mode = .loadBalancing
        }
        try await a.manager.start()
        #expect(a.master.state.withLock { $0.states.first } == PeerStates(livePeers: ["dhcp-b"], tableSynced: false))
        #expect(await a.report().answering == [])  // load-balancing holds its share while syncing
        #expect(await eventually(timeout: .seconds(5)) {
            a.master.lastStates == PeerStates(livePeers: [], tableSynced: true)
        })
        #expect(await a.report().answering == ["dhcp-a", "dhcp-b"])  // takes the silent peer's share
        #expect(await a.peerState() == .down)
        await a.manager.stop()
    }

    @Test("A peer with another key is refused, counted and reported unauthenticated on both sides")
    func wrongKey() async throws {
        let (a, b) = try Self.pair(keyB: Array(repeating: UInt8(8), count: 32))
        try await a.manager.start()
        try await b.manager.start()
        #expect(await eventually(timeout: .seconds(5)) {
            let r = await a.report()
            return r.peers[0].state == .unauthenticated && r.connectionsRefused.contains { $0.name == "authentication" }
        })
        #expect(await eventually(timeout: .seconds(5)) { await b.peerState() == .unauthenticated })
        #expect(await eventually(timeout: .seconds(2)) { a.master.lastStates?.livePeers == [] })
        #expect(b.master.received.isEmpty)
        await a.manager.stop()
        await b.manager.stop()
    }

    @Test("A garbage frame ends the connection and is counted by reason")
    func garbage() async throws {
        let (a, _) = try Self.pair()
        try await a.manager.start()
        let connection = try RawConnection(port: Int(a.port))
        connection.send([10, 0, 0, 0, 0xEE, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        _ = await connection.readAll()  // returns at end of stream: the manager closed it
        #expect(await eventually(timeout: .seconds(2)) {
            await a.report().connectionsRefused == [NamedCount("unknown_type", 1)]
        })
        #expect(await a.peerState() == .down)  // garbage is not a failed authentication
        await a.manager.stop()
    }

    @Test("A peer that stops is down after heartbeat × missed heartbeats")
    func peerStops() async throws {
        let (a, b) = try Self.pair()
        try await a.manager.start()
        try await b.manager.start()
        #expect(await eventually(timeout: .seconds(5)) { await a.peerState() == .up })
        await b.manager.stop()
        let clock = ContinuousClock()
        let stopped = clock.now
        #expect(await eventually(timeout: .seconds(3)) { await a.peerState() == .down })
        #expect(clock.now - stopped < .milliseconds(1500))  // 500 ms, with room for a loaded machine
        #expect(a.master.lastStates == PeerStates(livePeers: [], tableSynced: true))
        #expect(a.events.last?.contains(#""state":"down","previous_state":"up""#) == true)
        await a.manager.stop()
    }

    @Test("Digests that differ: snapshot_digest_match false at once, the mismatch metric after the grace period")
    func digestMismatch() async throws {
        let (a, b) = try Self.pair { $0.mismatchGrace = .milliseconds(300) }
        b.master.state.withLock { $0.digest = 0xDEF }
        try await a.manager.start()
        try await b.manager.start()
        #expect(await eventually(timeout: .seconds(5)) { await a.report().peers[0].snapshotDigestMatch == false })
        #expect(await eventually(timeout: .seconds(5)) { await a.report().peers[0].snapshotMismatch })
        await a.manager.stop()
        await b.manager.stop()
    }

    @Test("peers: the response's shape, and its error without ha")
    func peersResponse() {
        let report = PeersReport(
            thisServer: "dhcp-a", mode: .loadBalancing, serverNames: ["dhcp-a", "dhcp-b"], answering: ["dhcp-a"],
            tableSynced: true,
            peers: [.init(name: "dhcp-b", address: "192.0.2.2:8548", state: .up, lastHeartbeatMillisecondsAgo: 120,
                          snapshotGeneration: 4, snapshotDigestMatch: true, serving: true, bindingsSent: 10,
                          bindingsReceived: 7, queueDropped: 0)],
            connectionsRefused: [NamedCount("authentication", 2)])
        #expect(ManagementService.peersResponse(report).json == """
            {"success":true,"message":"1 peer, 1 up","this_server":"dhcp-a","mode":"load-balancing",\
            "answering":["dhcp-a"],"table_synced":true,"peers":[{"name":"dhcp-b","address":"192.0.2.2:8548",\
            "state":"up","last_heartbeat_ms_ago":120,"snapshot_generation":4,"snapshot_digest_match":true,\
            "bindings_sent":10,"bindings_received":7,"queue_dropped":0,"queued":0}]}
            """)
        #expect(ManagementService.peersResponse(nil).json
            == #"{"success":false,"error":"High availability is not configured: config.json has no `ha` (docs/high-availability.md)"}"#)
        var metrics = MetricsReport(stats: StatsReport(v4: ProtocolStats(), v6: ProtocolStats()),
                                    status: StatusReport(keyCount: 0, reservationCount: 0, snapshotGeneration: 1,
                                                         snapshotLoadedAt: 0),
                                    workers: [], bindingCount: 0, now: 0)
        metrics.peers = report
        let text = PrometheusExposition.render(metrics)
        for line in ["# TYPE shadowdhcp_ha_peer_up gauge", #"shadowdhcp_ha_peer_up{peer="dhcp-b"} 1"#,
                     #"shadowdhcp_ha_peer_snapshot_mismatch{peer="dhcp-b"} 0"#,
                     "# TYPE shadowdhcp_ha_bindings_sent_total counter",
                     #"shadowdhcp_ha_bindings_sent_total{peer="dhcp-b"} 10"#,
                     #"shadowdhcp_ha_bindings_received_total{peer="dhcp-b"} 7"#,
                     #"shadowdhcp_ha_queue_dropped_total{peer="dhcp-b"} 0"#,
                     #"shadowdhcp_ha_connections_refused_total{reason="authentication"} 2"#,
                     #"shadowdhcp_ha_answering{server="dhcp-a"} 1"#, #"shadowdhcp_ha_answering{server="dhcp-b"} 0"#] {
            #expect(text.contains(line + "\n"), "\(line)")
        }
    }
}
