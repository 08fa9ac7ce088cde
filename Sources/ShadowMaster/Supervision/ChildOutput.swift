import Logging
import ShadowCore
import ShadowLogging
import ShadowSystem
import SystemPackage

/// A sandboxed child's stdout or stderr: a pipe whose read end the master polls, passing complete
/// lines on to its own descriptor of the same number (docs/privileges.md, "Output of the
/// sandboxed processes").
///
/// Every line costs a token of the child's ``OutputRateLimit`` (shared by both pipes); lines over
/// the rate are dropped and counted, and the master logs one summary line when they stop. A line
/// is passed on unchanged only when it is one of the child's own log lines
/// (``ChildLogLine/isOwn(_:process:format:)``); anything else goes out escaped, as a log line of the
/// child's (``ChildLogLine/wrapped(_:process:stream:format:)``), so a child can neither forge the
/// master's lines nor send a terminal control sequences. stderr is also searched for the SIGSYS
/// reporter's line (``SeccompReporter``), which names a call the filter refused.
final class ChildOutput {
    let readEnd: FileDescriptor
    /// 1 or 2: where the lines go in the master.
    let target: FileDescriptor
    /// The child's log label (`v4`, `v6`, `ops`).
    let label: String
    /// `shadow-v4`, … (the summary line names it).
    let processName: String
    let format: LogFormat
    let limit: OutputRateLimit
    let logger: Logger
    /// Bytes after the last newline, held until their line is complete.
    private var partial: [UInt8] = []
    /// A line longer than this is passed on in pieces (each then escaped: no piece is a whole line).
    static let longestLine = 16 * 1024
    /// At most this much is read per call, so a child writing without pause cannot hold the
    /// master's loop.
    static let readPerDrain = 256 * 1024
    /// The last refused call the child reported.
    private(set) var seccompReport: SeccompReporter.Report?
    /// Closed when its child was reaped (a poll round may still name it).
    private var isClosed = false

    /// A blocking pipe for the child's descriptor `target` (1 or 2); returns the end to map into
    /// the child.
    static func make(target: Int32, label: String, processName: String, format: LogFormat, limit: OutputRateLimit,
                     logger: Logger) throws(Errno) -> (ChildOutput, childEnd: FileDescriptor) {
        let (read, write) = try Pipe.make()
        do { try read.setNonBlocking(true) } catch {
            try? read.close()
            try? write.close()
            throw error
        }
        return (ChildOutput(readEnd: read, target: FileDescriptor(rawValue: target), label: label,
                            processName: processName, format: format, limit: limit, logger: logger), write)
    }

    private init(readEnd: FileDescriptor, target: FileDescriptor, label: String, processName: String,
                 format: LogFormat, limit: OutputRateLimit, logger: Logger) {
        self.readEnd = readEnd
        self.target = target
        self.label = label
        self.processName = processName
        self.format = format
        self.limit = limit
        self.logger = logger
    }

    var stream: String { target.rawValue == 2 ? "stderr" : "stdout" }

    /// Reads what the pipe holds (up to ``readPerDrain``) and passes on every complete line;
    /// `final` (the child ended) passes on the rest too. Returns the number of bytes read.
    @discardableResult
    func drain(final: Bool = false) -> Int {
        guard !isClosed else { return 0 }
        let bytes = Pipe.readAvailable(readEnd, limit: ChildOutput.readPerDrain)
        partial += bytes
        var out: [UInt8] = []
        var start = 0
        let now = Clocks.monotonicMilliseconds()
        while start < partial.count {
            let newline = partial[start...].firstIndex(of: UInt8(ascii: "\n"))
            let end: Int
            if let newline {
                end = newline
            } else if final || partial.count - start > ChildOutput.longestLine {
                end = min(partial.count, start + ChildOutput.longestLine)
            } else {
                break
            }
            let line = partial[start..<end]
            start = newline.map { $0 + 1 } ?? end
            if stream == "stderr", let report = SeccompReporter.parse(Substring(decoding: line, as: UTF8.self)) {
                seccompReport = report
            }
            guard limit.admit(now: now) else { continue }
            if limit.pendingDrops > 0 {
                _ = try? target.writeAll(out)
                out = []
                reportDrops()
            }
            if newline != nil, ChildLogLine.isOwn(line, process: label, format: format) {
                out += line
                out.append(UInt8(ascii: "\n"))
            } else {
                out += ChildLogLine.wrapped(line, process: label, stream: stream, format: format).utf8
            }
        }
        partial.removeFirst(start)
        if !out.isEmpty { _ = try? target.writeAll(out) }
        return bytes.count
    }

    /// Logs how many lines were dropped since the last summary, if any.
    func reportDrops() {
        let n = limit.takeDrops()
        guard n > 0 else { return }
        logger.warning("\(processName): \(n) line\(n == 1 ? "" : "s") dropped (over \(limit.linesPerSecond) lines/s)")
    }

    func close() {
        guard !isClosed else { return }
        // Bounded: the write end could outlive the child in a process it shared it with.
        for _ in 0..<64 { if drain(final: true) == 0 { break } }
        reportDrops()
        isClosed = true
        try? readEnd.close()
    }
}
