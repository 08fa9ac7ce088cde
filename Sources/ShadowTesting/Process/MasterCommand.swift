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
        try await ExternalCommand.run(try BuildProducts.executable("shadow-master"), arguments, argv0: "shadow-master",
                                      timeout: timeout)
    }
}
