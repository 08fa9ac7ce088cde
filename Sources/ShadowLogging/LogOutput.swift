#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization

/// Where log lines go: standard output and/or a daily-rotated file, one line per record.
///
/// Lines are written with one `write(2)` each so that the master's and the workers' lines (workers
/// share the master's standard output) never interleave inside a line.
public final class LogOutput: Sendable {
    public enum Format: Sendable { case text, json }

    private struct FileSink {
        var path: String
        var maxFiles: Int
        var fd: Int32 = -1
        var day: String = ""
    }

    private let stdoutFormat: Format?
    private let file: Mutex<FileSink?>
    /// Lines not written to standard output because its reader was not keeping up.
    private let droppedStdout = Mutex<UInt64>(0)

    /// - Parameters:
    ///   - stdout: write to standard output; text when it is a terminal, JSON lines otherwise.
    ///   - filePath: also write JSON lines to `filePath.YYYY-MM-DD` (UTC), keeping `maxFiles` days.
    public init(stdout: Bool, filePath: String? = nil, maxFiles: Int = 3) {
        stdoutFormat = stdout ? (isatty(1) == 1 ? .text : .json) : nil
        file = Mutex(filePath.map { FileSink(path: $0, maxFiles: max(1, maxFiles)) })
    }

    /// Standard output only, in the given format.
    public init(stdoutFormat: Format) {
        self.stdoutFormat = stdoutFormat
        file = Mutex(nil)
    }

    /// Lines dropped so far because standard output was full.
    public var droppedLines: UInt64 { droppedStdout.withLock { $0 } }

    func write(_ record: LogRecord) {
        if let stdoutFormat { writeStandardOutput(record.render(stdoutFormat)) }
        file.withLock { sink in
            guard var s = sink else { return }
            let day = String(record.timestamp.prefix(10))
            if day != s.day || s.fd < 0 { s = LogOutput.rotate(s, day: day) }
            if s.fd >= 0 { LogOutput.writeAll(s.fd, record.render(.json)) }
            sink = s
        }
    }

    private static func rotate(_ sink: FileSink, day: String) -> FileSink {
        var s = sink
        if s.fd >= 0 { close(s.fd) }
        s.day = day
        s.fd = open("\(s.path).\(day)", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        if s.fd < 0 {
            writeAll(2, "cannot open log file \(s.path).\(day): \(String(cString: strerror(errno)))\n")
        }
        pruneOldFiles(path: s.path, keep: s.maxFiles)
        return s
    }

    /// Removes `path.YYYY-MM-DD` files beyond the newest `keep`.
    private static func pruneOldFiles(path: String, keep: Int) {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        let base = (slash.map { String(path[path.index(after: $0)...]) } ?? path) + "."
        guard let d = opendir(dir.isEmpty ? "/" : dir) else { return }
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name.hasPrefix(base) && name.count == base.count + 10 { names.append(name) }
        }
        closedir(d)
        for old in names.sorted().dropLast(keep) { unlink("\(dir)/\(old)") }
    }

    /// Logging must never stop the packet path: when the reader of standard output (a pipe to a
    /// log shipper) does not keep up and the pipe is full, the line is dropped and counted, and
    /// the count is reported in the next line that gets through.
    private func writeStandardOutput(_ line: String) {
        guard LogOutput.canWriteWithoutBlocking(1) else {
            droppedStdout.withLock { $0 &+= 1 }
            return
        }
        let dropped = droppedStdout.withLock { n in defer { n = 0 }; return n }
        if dropped > 0 {
            LogOutput.writeAll(1, "{\"level\":\"WARN\",\"message\":\"\(dropped) log lines dropped: standard output was full\"}\n")
        }
        LogOutput.writeAll(1, line)
    }

    /// Whether a write of one line (≤ PIPE_BUF) to `fd` would not block right now.
    ///
    /// Corresponds to poll(2) with a zero timeout.
    static func canWriteWithoutBlocking(_ fd: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let n = poll(&p, 1, 0)
        return n < 0 || p.revents != 0  // on a poll error, try the write (it reports its own error)
    }

    static func writeAll(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 { if errno == EINTR { continue }; return }
                off += n
            }
        }
    }
}
