import Logging
import ShadowCore
import ShadowSystem
import Synchronization
import SystemPackage

/// Where log lines go: standard output and/or a daily-rotated file, one line per record.
///
/// Lines are written with one `write(2)` each so that the master's and the workers' lines (workers
/// share the master's standard output) never interleave inside a line.
public final class LogOutput: Sendable {
    public typealias Format = LogFormat

    private struct FileSink {
        var path: String
        var maxFiles: Int
        var fd: FileDescriptor?
        var day: String = ""
    }

    private let stdoutFormat: Format?
    private let file: Mutex<FileSink?>
    /// Lines not written to standard output because its reader was not keeping up.
    private let droppedStdout = Mutex<UInt64>(0)

    /// - Parameters:
    ///   - stdout: write to standard output, in `format` (``LogOutput/resolvedFormat(_:)``).
    ///   - filePath: also write JSON lines to `filePath.YYYY-MM-DD` (UTC), keeping `maxFiles` days.
    public init(stdout: Bool, format: Format, filePath: String? = nil, maxFiles: Int = 3) {
        stdoutFormat = stdout ? format : nil
        file = Mutex(filePath.map { FileSink(path: $0, maxFiles: max(1, maxFiles)) })
    }

    /// Standard output only, in the given format.
    public init(stdoutFormat: Format) {
        self.stdoutFormat = stdoutFormat
        file = Mutex(nil)
    }

    /// `logging.format`, or when absent text if standard output is a terminal and JSON lines
    /// otherwise. The master resolves it once and hands it to every process it starts (a
    /// sandboxed process could not ask the terminal), so all lines share one format.
    public static func resolvedFormat(_ configured: Format?) -> Format {
        configured ?? .defaultFor(terminal: FileDescriptor.standardOutput.isTerminal)
    }

    /// Lines dropped so far because standard output was full.
    public var droppedLines: UInt64 { droppedStdout.withLock { $0 } }

    func write(_ record: LogRecord) {
        if let stdoutFormat { writeStandardOutput(record, stdoutFormat) }
        file.withLock { sink in
            guard var s = sink else { return }
            let day = String(record.timestamp.prefix(10))
            if day != s.day || s.fd == nil { s = LogOutput.rotate(s, day: day) }
            if let fd = s.fd { LogOutput.writeAll(fd, record.render(.json)) }
            sink = s
        }
    }

    private static func rotate(_ sink: FileSink, day: String) -> FileSink {
        var s = sink
        try? s.fd?.closeChecked()
        s.day = day
        do {
            s.fd = try FileSystem.openForAppending("\(s.path).\(day)", permissions: 0o640)
        } catch {
            s.fd = nil
            StandardError.write("cannot open log file \(s.path).\(day): \(error)\n")
        }
        pruneOldFiles(path: s.path, keep: s.maxFiles)
        return s
    }

    /// Removes `path.YYYY-MM-DD` files beyond the newest `keep`.
    private static func pruneOldFiles(path: String, keep: Int) {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        let base = (slash.map { String(path[path.index(after: $0)...]) } ?? path) + "."
        guard let all = try? FileSystem.names(in: dir.isEmpty ? "/" : dir) else { return }
        let names = all.filter { $0.hasPrefix(base) && $0.count == base.count + 10 }
        for old in names.sorted().dropLast(keep) { try? FileSystem.remove("\(dir)/\(old)") }
    }

    /// Logging must never stop the packet path: when the reader of standard output (a pipe to a
    /// log shipper) does not keep up and the pipe is full, the line is dropped and counted, and
    /// the count is reported in the next line that gets through.
    /// The notice of lost lines is a complete log line of this process in `format`, so the master
    /// passes it on from a child unchanged (docs/privileges.md, "Output of the sandboxed processes").
    private func writeStandardOutput(_ record: LogRecord, _ format: Format) {
        guard FileDescriptor.standardOutput.canWriteWithoutBlocking() else {
            droppedStdout.withLock { $0 &+= 1 }
            return
        }
        let dropped = droppedStdout.withLock { n in defer { n = 0 }; return n }
        if dropped > 0 {
            let notice = LogRecord(timestamp: record.timestamp, level: .warning, process: record.process,
                                   message: "\(dropped) log lines dropped: standard output was full", metadata: [])
            LogOutput.writeAll(.standardOutput, notice.render(format))
        }
        LogOutput.writeAll(.standardOutput, record.render(format))
    }

    /// One line with as few write(2) calls as possible; a failed write (EPIPE: the reader is
    /// gone) loses the line and nothing else.
    static func writeAll(_ fd: FileDescriptor, _ text: String) {
        try? fd.writeFully(Array(text.utf8))
    }
}
