import Glibc
import NIOCore
import NIOPosix
import ShadowSystem
import Synchronization
import Testing
@testable import ShadowOperations

/// A listener the master bound and ops adopted keeps the backlog `mgmt_max_connections` asks for.
@Suite struct AdoptedListenerTests {
    /// While the event loop accepts nothing (busy with a commit), 200 clients connect at once:
    /// all of them wait in the backlog. NIO listens again on an adopted socket with its default
    /// of 128, so before the fix every connect past the 129th failed with EAGAIN — which Python's
    /// asyncio reports as "Connection lost" (bench/changes.sh).
    @Test func aBurstBeyondNIOsDefaultBacklogWaitsInTheQueue() async throws {
        var template = Array("/tmp/shadow-backlog-XXXXXX".utf8CString)
        let directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        let path = directory + "/mgmt.sock"
        defer { unlink(path); rmdir(directory) }
        let listener = try StreamListener.bindUnix(path, backlog: 300)
        var limits = ManagementServer.Limits()
        limits.maxConnections = 300
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = ManagementServer(
            configuration: .init(boundSockets: [.init(descriptor: listener.rawValue, transport: .unix, path: path)],
                                 limits: limits),
            backend: FakeBackend(), group: group, logger: Fixtures.logger)
        try await server.start()
        let release = Atomic<Bool>(false)
        group.next().execute { while !release.load(ordering: .relaxed) { usleep(1000) } }
        var clients: [CInt] = []
        var refused = 0
        for _ in 0..<200 {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, b) in path.utf8.enumerated() { raw[i] = b }
            }
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            if rc != 0 { refused += 1 }
            clients.append(fd)
        }
        release.store(true, ordering: .relaxed)
        #expect(refused == 0)
        for fd in clients { close(fd) }
        await server.stop()
        try await group.shutdownGracefully()
    }
}
