import Glibc
import SystemPackage

/// A child's standard output and error, captured in two files so the child never blocks on a
/// full pipe and the text stays readable after it exits. Stdout lines are parsed as they arrive.
public final class CapturedOutput {
    public let stdoutPath: String
    public let stderrPath: String
    private var offset = 0
    private var partial: [UInt8] = []
    private var parsed: [LogLine] = []
    private var rawLines: [String] = []

    /// Creates (truncates) `<prefix>.stdout` and `<prefix>.stderr`.
    init(prefix: String) {
        stdoutPath = prefix + ".stdout"
        stderrPath = prefix + ".stderr"
    }

    /// Opens both files for the child (write, append); the caller closes them after spawning.
    func openForChild() throws -> (stdout: FileDescriptor, stderr: FileDescriptor) {
        func openFile(_ path: String) throws -> FileDescriptor {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw TestingError("cannot create \(path): \(Errno(rawValue: errno))") }
            return FileDescriptor(rawValue: fd)
        }
        let out = try openFile(stdoutPath)
        do { return (out, try openFile(stderrPath)) } catch {
            try? out.close()
            throw error
        }
    }

    /// Reads what was appended since the last call.
    private func refresh() {
        guard let (bytes, end) = Files.read(stdoutPath, from: offset), !bytes.isEmpty else { return }
        offset = end
        partial += bytes
        guard let lastNewline = partial.lastIndex(of: 0x0A) else { return }
        for line in partial[..<lastNewline].split(separator: 0x0A, omittingEmptySubsequences: true) {
            let text = String(decoding: line, as: UTF8.self)
            rawLines.append(text)
            if let l = LogLine(text) { parsed.append(l) }
        }
        partial.removeSubrange(...lastNewline)
    }

    /// Every JSON log line written so far, in order.
    public var lines: [LogLine] {
        refresh()
        return parsed
    }

    /// Every complete stdout line so far, JSON or not.
    public var stdoutLines: [String] {
        refresh()
        return rawLines
    }

    public var stdout: String { Files.readText(stdoutPath) ?? "" }
    public var stderr: String { Files.readText(stderrPath) ?? "" }

    /// The last `n` stdout lines and all of stderr, for failure messages.
    public func tail(_ n: Int = 40) -> String {
        let out = stdoutLines.suffix(n).joined(separator: "\n")
        let err = stderr
        return "--- stdout (last \(n) lines) ---\n\(out)" + (err.isEmpty ? "" : "\n--- stderr ---\n\(err)")
    }
}
