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

/// The pieces the master's poll loop uses: the mailbox and the blocking start/stop wrappers.
@Suite struct IntegrationTests {
    /// Poll-thread state, touched only by mailbox jobs.
    final class Counter: @unchecked Sendable { var value = 0 }

    @Test func mailboxRunsJobsOnThePollThread() async throws {
        let mailbox = try PollLoopMailbox()
        let counter = Counter()
        let stop = Atomic<Bool>(false)
        let pollThread = Mutex<String?>(nil)
        let thread = Thread {
            pollThread.withLock { $0 = "\(pthread_self())" }
            var pfd = pollfd(fd: mailbox.wakeDescriptor, events: Int16(POLLIN), revents: 0)
            while !stop.load(ordering: .relaxed) {
                if poll(&pfd, 1, 50) > 0 { mailbox.drain() }
            }
        }
        thread.start()
        let results = await withTaskGroup(of: Int.self, returning: [Int].self) { group in
            for _ in 0..<100 {
                group.addTask {
                    await mailbox.run { () -> Int in
                        counter.value += 1
                        return counter.value
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.sorted() == Array(1...100))
        let ranOn = await mailbox.run { "\(pthread_self())" }
        #expect(ranOn == pollThread.withLock { $0 })
        stop.store(true, ordering: .relaxed)
        while !thread.isFinished { try await Task.sleep(for: .milliseconds(10)) }
    }

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
