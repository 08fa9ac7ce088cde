import ShadowSystem
import SystemPackage

/// Any executable run to completion with an empty environment and stdin on `/dev/null`.
public enum ExternalCommand {
    /// Runs `executable` (an absolute path) with `arguments` (argv[0] is `argv0`, by default its
    /// path), waiting at most `timeout` (then kills it and throws).
    public static func run(_ executable: String, _ arguments: [String], argv0: String? = nil,
                           timeout: Duration = .seconds(30)) async throws -> CommandResult {
        let name = argv0 ?? executable
        let directory = try Files.makeTemporaryDirectory(prefix: "shadow-cmd")
        defer { Files.removeTree(directory) }
        let output = CapturedOutput(prefix: directory + "/run")
        let child: ChildProcess
        do {
            let (out, err) = try output.openForChild()
            defer { try? out.close(); try? err.close() }
            let devNull = try FileSystem.openForReading("/dev/null")
            defer { try? devNull.close() }
            child = try ProcessSpawner.spawn(SpawnConfiguration(
                executable: executable, arguments: [name] + arguments, environment: [],
                descriptors: [DescriptorMapping(devNull, as: 0), DescriptorMapping(out, as: 1),
                              DescriptorMapping(err, as: 2)]))
        }
        let deadline = Deadline(after: timeout)
        while true {
            if let status = try child.tryWait() {
                return CommandResult(status: status, stdout: output.stdout, stderr: output.stderr)
            }
            if deadline.hasPassed {
                try? child.signal(Signal.kill)
                _ = try? child.wait()
                throw TestingError("\(name) \(arguments.joined(separator: " ")) did not finish in \(timeout)\n"
                                   + output.tail())
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// The same, synchronously (for clean-up in `defer`): no timeout.
    public static func runBlocking(_ executable: String, _ arguments: [String]) -> TerminationStatus? {
        guard let devNull = try? FileSystem.openForReading("/dev/null") else { return nil }
        defer { try? devNull.close() }
        guard let child = try? ProcessSpawner.spawn(SpawnConfiguration(
            executable: executable, arguments: [executable] + arguments, environment: [],
            descriptors: [DescriptorMapping(devNull, as: 0), DescriptorMapping(devNull, as: 1),
                          DescriptorMapping(devNull, as: 2)])) else { return nil }
        return try? child.wait()
    }
}

/// A command left running in the background (stdin, stdout and stderr on `/dev/null`) until
/// ``stop()``, which kills and reaps it.
public final class BackgroundCommand: Sendable {
    let child: ChildProcess
    public var pid: Int32 { child.pid }

    public init(_ executable: String, _ arguments: [String]) throws {
        let devNull = try FileSystem.openForReading("/dev/null")
        defer { try? devNull.close() }
        child = try ProcessSpawner.spawn(SpawnConfiguration(
            executable: executable, arguments: [executable] + arguments, environment: [],
            descriptors: [DescriptorMapping(devNull, as: 0), DescriptorMapping(devNull, as: 1),
                          DescriptorMapping(devNull, as: 2)]))
    }

    public func stop() {
        try? child.signal(Signal.kill)
        _ = try? child.wait()
    }
}
