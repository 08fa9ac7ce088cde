import Foundation
import ShadowSystem
import Synchronization
import Testing
@testable import ShadowMaster

@Suite("Mailbox: jobs from any thread run on the poll thread")
struct MailboxTests {
    /// State only the poll thread touches.
    final class PollState { var value = 0 }

    @Test func jobsRunOnThePollThreadInOrderAndReturnResults() async throws {
        let mailbox = try Mailbox<PollState>()
        let stop = Atomic<Bool>(false)
        let pollThread = Mutex<String?>(nil)
        let descriptor = mailbox.descriptor
        let thread = Thread {
            let state = PollState()
            pollThread.withLock { $0 = "\(pthread_self())" }
            var poll = PollSet([(descriptor, .readable)])
            while !stop.load(ordering: .relaxed) {
                if (try? poll.wait(timeoutMilliseconds: 20)) ?? 0 > 0 { mailbox.drain(into: state) }
            }
        }
        thread.start()
        let results = await withTaskGroup(of: Int.self, returning: [Int].self) { group in
            for _ in 0..<100 {
                group.addTask { await mailbox.perform { state in state.value += 1; return state.value } }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.sorted() == Array(1...100))
        let ranOn = await mailbox.perform { _ in "\(pthread_self())" }
        #expect(ranOn == pollThread.withLock { $0 })
        stop.store(true, ordering: .relaxed)
        while !thread.isFinished { try await Task.sleep(for: .milliseconds(10)) }
    }
}
