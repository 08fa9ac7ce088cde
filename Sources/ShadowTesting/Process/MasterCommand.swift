import ShadowSystem
import SystemPackage

/// `shadow-master` run to completion (`--check`, `--version`, …): exit status and output.
public struct CommandResult: Sendable {
    public var status: TerminationStatus
    public var stdout: String
    public var stderr: String

    /// True when it exited with `code`.
    public func exited(_ code: Int32) -> Bool { status == .exited(code) }
}

public enum ShadowMasterCommand {
    /// Runs `shadow-master` with `arguments`, waiting at most `timeout` (then kills it and throws).
    public static func run(_ arguments: [String], timeout: Duration = .seconds(30)) async throws -> CommandResult {
        let executable = try BuildProducts.executable("shadow-master")
        let directory = try Files.makeTemporaryDirectory(prefix: "shadow-cli")
        defer { Files.removeTree(directory) }
        let output = CapturedOutput(prefix: directory + "/run")
        let child: ChildProcess
        do {
            let (out, err) = try output.openForChild()
            defer { try? out.close(); try? err.close() }
            let devNull = try FileSystem.openForReading("/dev/null")
            defer { try? devNull.close() }
            child = try ProcessSpawner.spawn(SpawnConfiguration(
                executable: executable, arguments: ["shadow-master"] + arguments, environment: [],
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
                throw TestingError("shadow-master \(arguments.joined(separator: " ")) did not finish in \(timeout)\n"
                                   + output.tail())
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
