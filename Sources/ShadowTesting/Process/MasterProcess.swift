import ShadowCore
import ShadowSystem
import SystemPackage

/// The real `shadow-master` from the build directory, started on a ``ServerDirectory``.
///
/// Its standard output and error (shared with its workers) go to files in the directory and are
/// read back as ``LogLine``s. ``stop()`` sends SIGTERM, then SIGKILL after a grace period, and
/// makes sure no worker it started survives; `deinit` does the same without waiting, so even a
/// test that throws half-way leaves nothing behind. Prefer ``withMaster(_:_:)``, which stops it on
/// every path.
public final class MasterProcess {
    public let directory: ServerDirectory
    public let child: ChildProcess
    public let output: CapturedOutput
    public private(set) var exitStatus: TerminationStatus?

    public var pid: Int32 { child.pid }

    /// Where the master's (and its workers') standard output goes.
    public enum StandardOutput: Sendable {
        /// A file in the directory (the default): never full, readable after the exit.
        case file
        /// A pipe the test reads, and may close to see how the server copes (``CapturedOutput/closePipe()``).
        case pipe
        /// A pseudo-terminal the test reads, as when the server is started by hand.
        case terminal
    }

    /// Starts `shadow-master --configdir <directory>` plus `arguments`; `executable` defaults to
    /// the build directory's (a test may start a copy whose siblings it replaced).
    public init(_ directory: ServerDirectory, arguments: [String] = [], standardOutput: StandardOutput = .file,
                executable: String? = nil) throws {
        self.directory = directory
        let executable = try executable ?? BuildProducts.executable("shadow-master")
        output = CapturedOutput(prefix: directory.nextOutputPrefix())
        let (file, err) = try output.openForChild()
        defer { try? file.close(); try? err.close() }
        let out = switch standardOutput {
        case .file: file
        case .pipe: try output.openPipeForChild()
        case .terminal: try output.openTerminalForChild()
        }
        defer { if standardOutput != .file { try? out.close() } }
        let devNull = try FileSystem.openForReading("/dev/null")
        defer { try? devNull.close() }
        child = try ProcessSpawner.spawn(SpawnConfiguration(
            executable: executable,
            arguments: ["shadow-master", "--configdir", directory.path] + arguments,
            environment: [],
            descriptors: [DescriptorMapping(devNull, as: 0), DescriptorMapping(out, as: 1),
                          DescriptorMapping(err, as: 2)]))
    }

    deinit {
        if exitStatus == nil {
            try? child.signal(Signal.kill)
            _ = try? child.wait()
        }
        killLeftoverWorkers()
    }

    // MARK: log

    /// Every JSON log line so far (master and workers).
    public var lines: [LogLine] { output.lines }

    /// Waits for the first line at index ≥ `after` that satisfies `predicate`; returns its index
    /// and the line. Fails early if the master exits.
    @discardableResult
    public func waitForLine(after: Int = 0, timeout: Duration = .seconds(10), _ what: String,
                            where predicate: (LogLine) -> Bool) async throws -> (index: Int, line: LogLine) {
        try await eventually(timeout: timeout, "\(what)\n\(output.tail())") {
            let all = lines
            if all.count > after, let i = all[after...].firstIndex(where: predicate) { return (i, all[i]) }
            if try checkExited() != nil {
                throw TestingError("shadow-master exited (\(exitStatus!)) while waiting for \(what)\n\(output.tail())")
            }
            return nil
        }
    }

    // MARK: workers

    /// A worker as the log shows it: pid from the master's `ready` line, serving since its
    /// `serving` line.
    public struct Worker: Sendable, Hashable, CustomStringConvertible {
        public var kind: String
        public var pid: Int32
        public var generation: UInt64
        public var description: String { "\(kind) worker pid \(pid) generation \(generation)" }
    }

    /// The newest serving worker of `kind` (`"v4"` or `"v6"`), if one is.
    public func servingWorker(_ kind: String) -> Worker? {
        let all = lines
        for serving in all.reversed() where serving.process == kind && serving.message == "\(kind) worker serving" {
            guard let generation = serving.workerGeneration else { continue }
            let ready = all.last {
                $0.process == "master" && $0.message == "\(kind) worker ready" && $0.workerGeneration == generation
            }
            guard let pid = ready?.pid else { continue }
            return Worker(kind: kind, pid: pid, generation: generation)
        }
        return nil
    }

    /// Waits until a worker of `kind` newer than `generation` serves.
    public func waitForWorker(_ kind: String, newerThan generation: UInt64 = 0,
                              timeout: Duration = .seconds(10)) async throws -> Worker {
        try await eventually(timeout: timeout, "the \(kind) worker (generation > \(generation)) to serve\n\(output.tail())") {
            if let w = servingWorker(kind), w.generation > generation { return w }
            if try checkExited() != nil { throw TestingError("shadow-master exited (\(exitStatus!))\n\(output.tail())") }
            return nil
        }
    }

    /// Waits until both workers serve; returns them.
    public func waitUntilServing(timeout: Duration = .seconds(10)) async throws -> (v4: Worker, v6: Worker) {
        (try await waitForWorker("v4", timeout: timeout), try await waitForWorker("v6", timeout: timeout))
    }

    /// Every worker pid the master reported starting.
    public var startedWorkerPIDs: [Int32] {
        lines.filter { $0.process == "master" && $0.message.hasPrefix("started v") }.compactMap(\.pid)
    }

    // MARK: the operations process

    /// The newest serving operations process (`shadow-ops`), if one is: pid from the master's
    /// `ops process ready` line, serving since its own `ops process serving` line.
    public func servingOps() -> Worker? {
        let all = lines
        for serving in all.reversed() where serving.process == "ops" && serving.message == "ops process serving" {
            guard let generation = serving.workerGeneration else { continue }
            let ready = all.last {
                $0.process == "master" && $0.message == "ops process ready" && $0.workerGeneration == generation
            }
            guard let pid = ready?.pid else { continue }
            return Worker(kind: "ops", pid: pid, generation: generation)
        }
        return nil
    }

    /// Waits until an operations process newer than `generation` serves.
    public func waitForOps(newerThan generation: UInt64 = 0, timeout: Duration = .seconds(10)) async throws -> Worker {
        try await eventually(timeout: timeout, "the ops process (generation > \(generation)) to serve\n\(output.tail())") {
            if let w = servingOps(), w.generation > generation { return w }
            if try checkExited() != nil { throw TestingError("shadow-master exited (\(exitStatus!))\n\(output.tail())") }
            return nil
        }
    }

    /// Every operations process pid the master reported starting.
    public var startedOpsPIDs: [Int32] {
        lines.filter { $0.process == "master" && $0.message == "started ops process" }.compactMap(\.pid)
    }

    // MARK: signals and exit

    /// Sends `signal` to the master.
    public func send(_ signal: Int32) throws {
        guard exitStatus == nil else { throw TestingError("shadow-master already exited (\(exitStatus!))") }
        try child.signal(signal)
    }

    /// Reaps the master if it has exited.
    @discardableResult
    public func checkExited() throws -> TerminationStatus? {
        if exitStatus == nil { exitStatus = try child.tryWait() }
        return exitStatus
    }

    /// Waits up to `timeout` for the master to exit on its own; nil if it is still running.
    public func waitForExit(timeout: Duration) async throws -> TerminationStatus? {
        let deadline = Deadline(after: timeout)
        while try checkExited() == nil {
            if deadline.hasPassed { return nil }
            try await Task.sleep(for: .milliseconds(5))
        }
        return exitStatus
    }

    /// SIGTERM, up to `grace` to exit, then SIGKILL; then kills any worker still alive. Returns
    /// how the master ended. Safe to call more than once.
    @discardableResult
    public func stop(grace: Duration = .seconds(5)) async -> TerminationStatus {
        if let exitStatus { killLeftoverWorkers(); return exitStatus }
        try? child.signal(Signal.terminate)
        let status: TerminationStatus
        if let s = try? await waitForExit(timeout: grace) {
            status = s
        } else {
            try? child.signal(Signal.kill)
            status = (try? child.wait()) ?? .signaled(Signal.kill)
            exitStatus = status
        }
        killLeftoverWorkers()
        return status
    }

    /// Workers die with the master (their parent-death signal is SIGKILL); this is the belt to
    /// those braces: any started worker pid that still runs one of our worker executables is killed.
    private func killLeftoverWorkers() {
        for pid in startedWorkerPIDs + startedOpsPIDs where ProcFS.isRunning(pid) {
            // The pid may have been reused: only a worker executable whose parent is our master,
            // or that no master owns any more (orphaned), is ours.
            guard let command = ProcFS.command(pid), ["shadow-v4", "shadow-v6", "shadow-ops"].contains(where: command.hasSuffix),
                  let parent = ProcFS.parent(of: pid) else { continue }
            let owned = parent == child.pid || !(ProcFS.command(parent)?.hasSuffix("shadow-master") ?? false)
            if owned { try? ChildProcess(pid: pid).signal(Signal.kill) }
        }
    }
}

/// Starts a master on `directory`, runs `body`, and stops the master whatever happens.
public func withMaster<T>(_ directory: ServerDirectory, arguments: [String] = [],
                          standardOutput: MasterProcess.StandardOutput = .file, executable: String? = nil,
                          _ body: (MasterProcess) async throws -> T) async throws -> T {
    let master = try MasterProcess(directory, arguments: arguments, standardOutput: standardOutput,
                                   executable: executable)
    do {
        let result = try await body(master)
        await master.stop()
        return result
    } catch {
        await master.stop()
        throw error
    }
}
