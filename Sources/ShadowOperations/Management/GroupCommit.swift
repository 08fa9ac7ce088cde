import NIOCore

/// Group commit: requests that arrive while a commit is running wait, and the next commit takes
/// all of them at once, in arrival order. So a burst of small changes costs one file write and
/// one snapshot per commit instead of one per request, and the rate it sustains grows with the
/// burst. Commits run one at a time.
///
/// Waiting uses timers of `eventLoop` (never `Task.sleep`, nothing that starts a Dispatch thread:
/// in `shadow-ops` every Swift task runs on NIO's event loop, docs/privileges.md).
public actor GroupCommit<Request: Sendable, Answer: Sendable> {
    public typealias Commit = @Sendable ([Request]) async -> [Answer]

    private var pending: [(request: Request, reply: CheckedContinuation<Answer, Never>)] = []
    private var running = false
    private let commit: Commit
    private let quiet: TimeAmount
    private let linger: TimeAmount
    /// How long the last commit took.
    private var lastCommit: TimeAmount = .zero
    private let eventLoop: any EventLoop

    /// `commit` gets every waiting request and returns one answer per request, in the same order.
    /// A commit starts once no request arrived for `quiet`, or at the latest `linger` — or a
    /// quarter of the last commit's duration when that is longer, up to 0.5 s — after it could
    /// have started.
    public init(quiet: Duration = .milliseconds(5), linger: Duration = .milliseconds(50), on eventLoop: any EventLoop,
                commit: @escaping Commit) {
        self.quiet = TimeAmount(quiet)
        self.linger = TimeAmount(linger)
        self.eventLoop = eventLoop
        self.commit = commit
    }

    /// Requests come in bursts (the clients the last commit answered send their next change at
    /// once, spread over some milliseconds): waiting while the burst still flows puts it in one
    /// commit, instead of committing its first few requests alone and the rest a commit later.
    /// The burst that follows a long commit is large and takes longer to arrive (thousands of
    /// clients reconnecting), hence the longer wait then: it costs a quarter of a commit, where
    /// missing the burst costs a whole one.
    private func gather() async {
        guard quiet > .zero else { return }
        let wait = max(linger, min(TimeAmount.milliseconds(500), TimeAmount.nanoseconds(lastCommit.nanoseconds / 4)))
        let deadline = NIODeadline.now() + wait
        var seen = pending.count
        repeat {
            await Self.pause(quiet, on: eventLoop)
            if pending.count == seen { return }
            seen = pending.count
        } while NIODeadline.now() < deadline
    }

    /// Resumes after `delay`, on an event-loop timer.
    static func pause(_ delay: TimeAmount, on eventLoop: any EventLoop) async {
        let promise = eventLoop.makePromise(of: Void.self)
        eventLoop.scheduleTask(in: delay) { promise.succeed() }
        try? await promise.futureResult.get()
    }

    /// Queues `request` and returns its answer once the commit that took it has finished.
    public func submit(_ request: Request) async -> Answer {
        await withCheckedContinuation { reply in
            pending.append((request, reply))
            if !running {
                running = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            await gather()
            let group = pending
            pending = []
            let started = NIODeadline.now()
            let answers = await commit(group.map(\.request))
            lastCommit = NIODeadline.now() - started
            precondition(answers.count == group.count, "GroupCommit: one answer per request")
            for (waiting, answer) in zip(group, answers) { waiting.reply.resume(returning: answer) }
        }
        running = false
    }
}
