import ShadowSystem
import SystemPackage

/// A child's standard output and error, captured in two files so the child never blocks on a
/// full pipe and the text stays readable after it exits. Stdout lines are parsed as they arrive.
public final class CapturedOutput {
    public let stdoutPath: String
    public let stderrPath: String
    /// In pipe mode: our (non-blocking) read end of the child's stdout; nil once closed.
    private var pipe: FileDescriptor?
    private var usesPipe = false
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
            do { return try FileSystem.openForAppending(path, truncating: true, permissions: 0o644) } catch {
                throw TestingError("cannot create \(path): \(error)")
            }
        }
        let out = try openFile(stdoutPath)
        do { return (out, try openFile(stderrPath)) } catch {
            try? out.close()
            throw error
        }
    }

    /// Gives the child a pipe as stdout instead of the file (stderr stays a file); returns the
    /// write end for the child. Lines are read from the pipe until ``closePipe()``.
    func openPipeForChild() throws -> FileDescriptor {
        let (readEnd, writeEnd) = try Pipe.make()
        try readEnd.setNonBlocking(true)
        pipe = readEnd
        usesPipe = true
        return writeEnd
    }

    /// Gives the child a pseudo-terminal as stdout instead of the file (stderr stays a file);
    /// returns the terminal side for the child. Lines are read from it as from a pipe (the
    /// terminal's `\r\n` line ends are read as `\n`).
    func openTerminalForChild() throws -> FileDescriptor {
        let (controller, terminal) = try PseudoTerminal.open()
        pipe = controller
        usesPipe = true
        return terminal
    }

    /// Closes our end of the stdout pipe: from now on the child's writes to stdout fail (EPIPE).
    public func closePipe() {
        refresh()
        try? pipe?.close()
        pipe = nil
    }

    deinit { try? pipe?.close() }

    /// Bytes that arrived since the last call.
    private func newBytes() -> [UInt8] {
        guard usesPipe else {
            guard let (bytes, end) = Files.read(stdoutPath, from: offset) else { return [] }
            offset = end
            return bytes
        }
        guard let pipe else { return [] }
        return Pipe.readAvailable(pipe)
    }

    /// Reads what was appended since the last call.
    private func refresh() {
        let bytes = newBytes()
        guard !bytes.isEmpty else { return }
        partial += bytes
        guard let lastNewline = partial.lastIndex(of: 0x0A) else { return }
        for line in partial[..<lastNewline].split(separator: 0x0A, omittingEmptySubsequences: true) {
            let text = String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
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

    /// All of stdout (in pipe mode: the lines read so far).
    public var stdout: String { usesPipe ? stdoutLines.joined(separator: "\n") : Files.readText(stdoutPath) ?? "" }
    public var stderr: String { Files.readText(stderrPath) ?? "" }

    /// The last `n` stdout lines and all of stderr, for failure messages.
    public func tail(_ n: Int = 40) -> String {
        let out = stdoutLines.suffix(n).joined(separator: "\n")
        let err = stderr
        return "--- stdout (last \(n) lines) ---\n\(out)" + (err.isEmpty ? "" : "\n--- stderr ---\n\(err)")
    }
}
