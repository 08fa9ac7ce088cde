import Foundation
import Logging
import NIOCore
import NIOPosix
import ShadowCore
import Synchronization
@testable import ShadowOperations

/// Fixtures shared by the tests.
enum Fixtures {
    static let subnet = SubnetV4(net: IPv4Network("198.51.100.0/24")!, gateway: IPv4Address("198.51.100.1")!)

    static let config = ServerConfig(
        dnsV4: [IPv4Address("192.0.2.53")!], dnsV6: [IPv6Address("2001:db8::53")!], subnetsV4: [subnet],
        option82Extractors: [.remoteOnly, .normalizeRemoteMAC], option1837Extractors: [.remoteOnly],
        macExtractors: [.clientLinklayerAddress, .peerAddrEUI64])

    /// Appendix B's four reservations as one line.
    static let reservationsJSON = """
        [{"ipv4":"198.51.100.10","ipv6_na":"2001:db8:1::10","ipv6_pd":"2001:db8:100::/56","mac":"00-11-22-33-44-55"},\
        {"ipv4":"198.51.100.11","ipv6_na":"2001:db8:1::11","ipv6_pd":"2001:db8:101::/56","option82":{"remote":"AA-BB-CC-DD-EE-FF"}},\
        {"ipv4":"198.51.100.12","ipv6_na":"2001:db8:1::12","ipv6_pd":"2001:db8:102::/56","duid":"00:03:00:01:00:11:22:33:44:66",\
        "option82":{"circuit":"eth1:100","remote":"olt-7"}},\
        {"ipv4":"198.51.100.13","ipv6_na":"2001:db8:1::13","ipv6_pd":"2001:db8:103::/56","mac":"00-11-22-33-44-77",\
        "option1837":{"interface":"ge-0/0/1.100","remote":"sub-13","enterprise_number":4874}}]
        """

    static var reservations: [Reservation] {
        try! ReservationLoader.load(Array(reservationsJSON.utf8), subnets: [subnet]).value
    }

    static let logger: Logger = {
        var l = Logger(label: "test")
        l.logLevel = .critical
        return l
    }()
}

/// A backend that records calls and answers from fixed state.
final class FakeBackend: ManagementBackend {
    struct State {
        var config = Fixtures.config
        var snapshot = ReservationSnapshot(reservations: Fixtures.reservations, generation: 1)
        var reloadResult: Result<Int, ManagementFailure> = .success(4)
        var replaceResult: Result<Int, ManagementFailure>?
        var replaceCalls: [(count: Int, reservations: [Reservation])] = []
        var reloadCalls = 0
        var bindings: [MACAddress: BindingTable.Entry] = [:]
        var stats = StatsReport(
            v4: ProtocolStats(received: 10, replies: [NamedCount("Offer", 4), NamedCount("Ack", 3)],
                              drops: [NamedCount("NoReservation", 3)], eventsDropped: 1, optionsOmitted: 2),
            v6: ProtocolStats(received: 5, replies: [NamedCount("Advertise", 2)], drops: [NamedCount("Discarded", 3)]))
        /// Delay inside replace, to test serialisation and concurrency.
        var replaceDelay: Duration = .zero
    }

    let state = Mutex(State())

    func context() async -> ManagementContext {
        state.withLock { ManagementContext(snapshot: $0.snapshot, config: $0.config) }
    }

    func reload() async -> Result<Int, ManagementFailure> {
        state.withLock { s in
            s.reloadCalls += 1
            return s.reloadResult
        }
    }

    func replace(_ reservations: [Reservation]) async -> Result<Int, ManagementFailure> {
        let delay = state.withLock { $0.replaceDelay }
        if delay > .zero { try? await Task.sleep(for: delay) }
        return state.withLock { s in
            s.replaceCalls.append((reservations.count, reservations))
            if let r = s.replaceResult { return r }
            s.snapshot = ReservationSnapshot(reservations: reservations, generation: s.snapshot.generation + 1)
            return .success(reservations.count)
        }
    }

    /// Applies to a store built from the snapshot, without group commit (the master's is tested
    /// in ShadowMasterTests).
    func applyChanges(_ batch: [ReservationChange]) async -> Result<ChangeResult, ManagementFailure> {
        state.withLock { s in
            var store = ReservationStore(s.snapshot.allReservations)
            switch store.apply(batch) {
            case .success(let counts):
                s.snapshot = ReservationSnapshot(reservations: store.reservations, generation: s.snapshot.generation + 1)
                return .success(ChangeResult(counts: counts, reservationCount: store.count,
                                             snapshotGeneration: s.snapshot.generation, snapshotDigest: 0xAB))
            case .failure(let e):
                return .failure(ManagementFailure(error: "Invalid request: " + e.errors.lines.joined(separator: "\n"),
                                                  errors: e.errors.lines))
            }
        }
    }

    func status() async -> StatusReport {
        let snap = state.withLock { $0.snapshot }
        return StatusReport(keyCount: snap.keyCount, reservationCount: snap.count, snapshotGeneration: snap.generation,
                            snapshotLoadedAt: 1_000, reloadFailures: 2)
    }

    func workers() async -> [WorkerReport] {
        [WorkerReport(proto: "v4", account: "_shadowdhcp-v4", pid: 101, generation: 2, uid: 65534, gid: 65533,
                      capabilities: CapabilitySets(inheritable: 0, permitted: 0, effective: 0, bounding: 0, ambient: 0),
                      noNewPrivs: true, seccompMode: 2, restarts: 1, ready: true, seccompKills: 1,
                      limits: WorkerReport.Limits(openFiles: 16, fileSize: 67_108_864, coreSize: 0, processes: nil)),
         WorkerReport(proto: "v6", account: "_shadowdhcp-v6", pid: nil, generation: 1, uid: nil, capabilities: nil, noNewPrivs: nil,
                      seccompMode: nil, restarts: 0, ready: false)]
    }

    func stats() async -> StatsReport { state.withLock { $0.stats } }
    func bindingCount() async -> Int { state.withLock { $0.bindings.count } }
    func binding(for mac: MACAddress) async -> BindingTable.Entry? { state.withLock { $0.bindings[mac] } }
    func version() async -> VersionReport { VersionReport(version: "0.3.0", commit: "abcdef1") }

    var replaceCallCount: Int { state.withLock { $0.replaceCalls.count } }
    var reloadCallCount: Int { state.withLock { $0.reloadCalls } }
}

/// A management server on 127.0.0.1 (ephemeral port) and optionally a Unix socket, with its own
/// event loop group; ``stop()`` ends both.
struct TestServer {
    let group: MultiThreadedEventLoopGroup
    let server: ManagementServer
    let backend: FakeBackend
    let directory: String

    /// Upstream's behaviour unless `authorization` says otherwise: no tokens, changes over TCP allowed.
    static func start(unixSocket: Bool = false, limits: ManagementServer.Limits = ManagementServer.Limits(),
                      backend: FakeBackend = FakeBackend(),
                      authorization: ManagementAuthorization = ManagementAuthorization(tcpInsecureWrites: true),
                      logger: Logger = Fixtures.logger,
                      events: (@Sendable (String) -> Void)? = nil) async throws -> TestServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let directory = TempDirectory.make()
        let config = ManagementServer.Configuration(
            tcpAddress: ShadowCore.SocketAddress("127.0.0.1:0")!,
            unixSocketPath: unixSocket ? directory + "/mgmt.sock" : nil, limits: limits, authorization: authorization)
        let server = ManagementServer(configuration: config, backend: backend, group: group, logger: logger,
                                      events: events)
        do {
            try await server.start()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        return TestServer(group: group, server: server, backend: backend, directory: directory)
    }

    var port: Int { server.tcpLocalAddress!.port! }
    var tcpEndpoint: ManagementClient.Endpoint { .tcp(ShadowCore.SocketAddress("127.0.0.1:\(port)")!) }
    var socketPath: String { directory + "/mgmt.sock" }

    func client(_ endpoint: ManagementClient.Endpoint? = nil) -> ManagementClient {
        ManagementClient(endpoint: endpoint ?? tcpEndpoint, group: group, timeout: .seconds(20))
    }

    func send(_ request: String, _ endpoint: ManagementClient.Endpoint? = nil) async throws -> String {
        try await client(endpoint).send(request)
    }

    /// ``send(_:_:)``, with a failure as its description (for use inside `#expect`).
    func reply(_ request: String, _ endpoint: ManagementClient.Endpoint? = nil) async -> String {
        do {
            return try await send(request, endpoint)
        } catch {
            return "failed: \(error)"
        }
    }

    func stop() async {
        await server.stop()
        try? await group.shutdownGracefully()
        TempDirectory.remove(directory)
    }
}

/// Runs `body` with a started server and always stops it.
func withServer(unixSocket: Bool = false, limits: ManagementServer.Limits = ManagementServer.Limits(),
                backend: FakeBackend = FakeBackend(),
                authorization: ManagementAuthorization = ManagementAuthorization(tcpInsecureWrites: true),
                logger: Logger = Fixtures.logger, events: (@Sendable (String) -> Void)? = nil,
                _ body: (TestServer) async throws -> Void) async throws {
    let server = try await TestServer.start(unixSocket: unixSocket, limits: limits, backend: backend,
                                            authorization: authorization, logger: logger, events: events)
    do {
        try await body(server)
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

enum TempDirectory {
    static func make() -> String {
        var template = Array("/tmp/shadowops-XXXXXX".utf8CString)
        let path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        return path
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let end = clock.now + timeout
    while clock.now < end {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
}
