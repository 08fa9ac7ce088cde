import Foundation
import NIOCore
import NIOPosix
import ShadowCore
import Synchronization
import Testing
@testable import ShadowOperations

#if canImport(Glibc)
import Glibc
#endif

/// The blocking start/stop wrappers the master's poll loop uses.
@Suite struct IntegrationTests {
    @Test func blockingStartAndStopFromAPlainThread() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let dir = TempDirectory.make()
        defer { TempDirectory.remove(dir) }
        let server = ManagementServer(configuration: .init(tcpAddress: ShadowCore.SocketAddress("127.0.0.1:0")!,
                                                           unixSocketPath: dir + "/m.sock"),
                                      backend: FakeBackend(), group: group, logger: Fixtures.logger)
        let started = await onThread { (try? server.startBlocking()) != nil }
        #expect(started)
        let reply = try await ManagementClient(endpoint: .unix(dir + "/m.sock"), group: group).send(#"{"command":"status"}"#)
        #expect(reply.hasPrefix(#"{"success":true"#))
        await onThread { server.stopBlocking() }
        #expect(access(dir + "/m.sock", F_OK) != 0)
        try await group.shutdownGracefully()
    }

    /// Runs `body` on a new thread (as the poll thread would) and returns its result.
    func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { c in Thread { c.resume(returning: body()) }.start() }
    }
}
