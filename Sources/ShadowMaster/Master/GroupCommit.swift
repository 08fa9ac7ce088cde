/// Group commit: requests that arrive while a commit is running wait, and the next commit takes
/// all of them at once, in arrival order. So a burst of small changes costs one file write and
/// one snapshot per commit instead of one per request, and the rate it sustains grows with the
/// burst. Commits run one at a time.
actor GroupCommit<Request: Sendable, Answer: Sendable> {
    typealias Commit = @Sendable ([Request]) async -> [Answer]

    private var pending: [(request: Request, reply: CheckedContinuation<Answer, Never>)] = []
    private var running = false
    private let commit: Commit
    private let linger: Duration

    /// `commit` gets every waiting request and returns one answer per request, in the same order;
    /// each commit starts `linger` after its first request arrived.
    init(linger: Duration = .milliseconds(10), commit: @escaping Commit) {
        self.linger = linger
        self.commit = commit
    }

    /// Queues `request` and returns its answer once the commit that took it has finished.
    func submit(_ request: Request) async -> Answer {
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
            // Requests tend to come in bursts (clients answered by the last commit send their next
            // change at once): a moment's wait lets the burst in, instead of committing its first
            // request alone.
            if linger > .zero { try? await Task.sleep(for: linger) }
            let group = pending
            pending = []
            let answers = await commit(group.map(\.request))
            precondition(answers.count == group.count, "GroupCommit: one answer per request")
            for (waiting, answer) in zip(group, answers) { waiting.reply.resume(returning: answer) }
        }
        running = false
    }
}
