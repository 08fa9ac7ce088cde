import IPC
import Logging
import ShadowCore
import ShadowSystem
import SystemPackage

/// Starting, auditing, restarting and stopping the workers.
extension Master {
    /// Spawns `w`'s executable with its sockets at their fixed numbers (a worker: UDP at 3, IPC at
    /// 4; ops: IPC at 3, listeners from 4).
    func start(_ w: WorkerSlot) {
        w.generation += 1
        w.ready = false
        w.loggedRefusals = []
        w.restartAt = nil
        w.startedAt = Clocks.monotonicMilliseconds()
        var outputs: [ChildOutput] = []
        var outputEnds: [FileDescriptor] = []
        defer { for end in outputEnds { try? end.close() } }
        do {
            // Every sandboxed child's stdout and stderr are pipes the master reads, rate-limits
            // and passes on (docs/privileges.md, "Output of the sandboxed processes").
            var targets: [Int32] = []
            for target: Int32 in [1, 2] {
                let (output, end) = try ChildOutput.make(target: target, label: w.kind.rawValue,
                                                         processName: w.kind.executableName, format: settings.logFormat,
                                                         limit: w.outputLimit, logger: logger)
                outputs.append(output)
                outputEnds.append(end)
                targets.append(target)
            }
            let (mine, theirs) = try SeqPacketChannel.makeSocketPair()
            defer { try? theirs.close() }
            let channel = try SeqPacketChannel(adopting: mine)
            let spawn = SpawnConfiguration(
                executable: ConfigDirectory.path(settings.executableDirectory, w.kind.executableName),
                arguments: w.argv(user: settings.accounts.account(for: w.kind).name, rootDirectory: settings.rootDirectory,
                                  systemTrustRoots: settings.config.events.clickhouse?.endpoint?.scheme == .https,
                                  logFormat: settings.logFormat),
                environment: [],
                descriptors: w.inherited + [DescriptorMapping(theirs, as: w.ipcDescriptor)]
                    + zip(outputEnds, targets).map { DescriptorMapping($0, as: $1) },
                newSession: true, standardInputFromNull: true)
            w.child = try ProcessSpawner.spawn(spawn)
            w.outputs = outputs
            outputs = []
            w.channel = channel
            logger.info("started \(w.kind.processName)", metadata: ["pid": "\(w.pid ?? 0)",
                                                               "account": "\(settings.accounts.account(for: w.kind).name)",
                                                               "worker.generation": "\(w.generation)"])
        } catch {
            for output in outputs { output.close() }
            logger.error("cannot start the \(w.kind.processName): \(error)")
            scheduleRestart(w)
        }
    }

    /// A worker said it is ready: audit it from the outside, then configure and feed it.
    func workerReady(_ w: WorkerSlot, _ m: ReadyMessage) {
        guard let pid = w.pid, m.pid == UInt32(pid), m.workerGeneration == w.generation else {
            logger.error("\(w.kind.processName) sent a ready message that is not its own (pid \(m.pid))")
            abandon(w, reason: "bad ready message")
            return
        }
        do {
            let status = try ProcessStatus.read(pid: pid)
            let account = settings.accounts.account(for: w.kind)
            let problems = SandboxAudit.problems(in: status, expectedUID: account.uid, expectedGID: account.gid)
            guard problems.isEmpty else {
                logger.critical("\(w.kind.processName) (pid \(pid)) is not confined to the account \(account.name): \(problems.joined(separator: "; "))")
                abandon(w, reason: "not confined")
                return
            }
            w.status = status
        } catch {
            logger.error("cannot audit the \(w.kind.processName) (pid \(pid)): \(error)")
            abandon(w, reason: "audit failed")
            return
        }
        w.ready = true
        logger.info("\(w.kind.processName) ready", metadata: ["pid": "\(pid)", "account": "\(settings.accounts.account(for: w.kind).name)",
                                                         "uid": "\(m.uid)", "gid": "\(m.gid)",
                                                         "worker.generation": "\(w.generation)"])
        // The worker starts serving when it has the snapshot: everything it needs comes first.
        send(.configure(settings.workerConfiguration), to: w)
        sendRateLimitsIfReloaded(to: w)
        if w.kind == .ops { send(.access(settings.opsAccess), to: w) }
        sendPeerSetup(to: w)
        if w.kind == .v6 { sendBindingTable(to: w) }
        sendSnapshot(to: w)
        codePagesToRelease = true
    }

    /// Gives up on a misbehaving worker: close its channel and kill it; SIGCHLD restarts it.
    func abandon(_ w: WorkerSlot, reason: String) {
        // The signal first: a child that saw its channel close before the kill could exit by
        // itself, and its end would then read as a normal exit.
        if let child = w.child {
            logger.warning("killing the \(w.kind.processName) (pid \(child.pid)): \(reason)")
            try? child.signal(Signal.kill)
        }
        closeChannel(of: w)
    }

    func closeChannel(of w: WorkerSlot) {
        try? w.channel?.close()
        w.channel = nil
        w.ready = false
        for (_, fd) in w.outbox { try? fd?.close() }
        w.outbox = []
        w.outboxBytes = 0
    }

    /// Reaps every ended child and schedules the restart of the worker it was.
    func reapChildren() {
        while true {
            guard let (child, status) = (try? ChildProcess.reapAny()) ?? nil else { return }
            guard let w = workers.first(where: { $0.child == child }) else { continue }
            w.child = nil
            // What it sent before it ended (bindings learned from ACKs already on the wire, its
            // last counters) is still queued on the channel: read it before closing.
            drainChannel(of: w)
            w.retireCounters()
            closeChannel(of: w)
            let report = closeOutputs(of: w)
            if status == .signaled(Signal.badSystemCall) {
                w.seccompKills += 1
                // The worker's SIGSYS reporter named the call on its stderr; ops has no reporter.
                logger.error("\(w.kind.processName) killed by seccomp", metadata: [
                    "pid": "\(child.pid)", "worker.generation": "\(w.generation)",
                    "syscall": "\(report.map { "\($0.number) (\($0.name))" } ?? "unknown")"])
            }
            if isStopping {
                logger.info("\(w.kind.processName) stopped", metadata: ["pid": "\(child.pid)", "status": "\(status)"])
                continue
            }
            logger.warning("\(w.kind.processName) exited", metadata: [
                "pid": "\(child.pid)", "status": "\(status)", "worker.generation": "\(w.generation)"])
            scheduleRestart(w)
        }
    }

    /// Copies what is left in a ended worker's stdout and stderr pipes and closes them; returns the
    /// refused call its SIGSYS reporter named, if it did.
    func closeOutputs(of w: WorkerSlot) -> SeccompReporter.Report? {
        for output in w.outputs { output.close() }
        defer { w.outputs = [] }
        return w.outputs.compactMap(\.seccompReport).last
    }

    func scheduleRestart(_ w: WorkerSlot) {
        let now = Clocks.monotonicMilliseconds()
        let delay = w.backoff.delayAfterExit(uptimeMilliseconds: now - w.startedAt)
        w.restartAt = now + delay
        logger.info("restarting the \(w.kind.processName) in \(delay) ms")
    }

    func restartDueWorkers() {
        let now = Clocks.monotonicMilliseconds()
        for w in workers {
            guard let at = w.restartAt, at <= now, w.child == nil, !isStopping else { continue }
            w.restarts += 1
            start(w)
        }
    }

    /// Asks every worker to stop, waits up to 2 s, kills what is left, saves the bindings; then
    /// the same for the operations process (up to 7 s: it sends what its event queue holds, for
    /// at most 5 s), so the events the workers report on their way out are still forwarded.
    /// The channels are read until the children are gone, so bindings a worker reports on its way
    /// out (from ACKs it already sent) are saved too.
    func shutdown() {
        finishPendingReplace()  // written and answered before ops stops
        stop(workers.filter { $0.kind != .ops }, withinMilliseconds: 2000)
        stop(workers.filter { $0.kind == .ops }, withinMilliseconds: 7000)
        saveBindings()
        if let path = settings.config.mgmtSocket, ops != nil { StreamListener.removeSocketFile(path) }
        logger.info("shutdown complete")
    }

    private func stop(_ slots: [WorkerSlot], withinMilliseconds limit: UInt64) {
        for w in slots where w.channel != nil { send(.shutdown, to: w) }
        let deadline = Clocks.monotonicMilliseconds() + limit
        while slots.contains(where: { $0.child != nil }) && Clocks.monotonicMilliseconds() < deadline {
            reapChildren()
            let open = workers.filter { $0.channel != nil }
            var poll = PollSet([(signals.descriptor, .readable)] + open.map { ($0.channel!.descriptor, .readable) })
            _ = try? poll.wait(timeoutMilliseconds: 20)
            while (try? signals.next()) ?? nil != nil {}
            for w in open {
                flushOutbox(of: w)
                drainChannel(of: w)
            }
            for w in workers { for output in w.outputs { output.drain() } }
        }
        for w in slots {
            guard let child = w.child else { continue }
            logger.warning("\(w.kind.processName) did not stop in time; killing pid \(child.pid)")
            try? child.signal(Signal.kill)
            _ = try? child.wait()
            w.child = nil
            drainChannel(of: w)
            closeChannel(of: w)
            _ = closeOutputs(of: w)
        }
    }
}
