import ShadowSystem
import SystemPackage

/// A DHCP worker's stdout or stderr as a pipe whose read end the master polls, copying whole lines
/// to its own descriptor of the same number. stderr always (the master looks for the SIGSYS
/// reporter's line, ``SeccompReporter``, which names a call the filter refused); stdout only when
/// the master's is a regular file, which the worker's RLIMIT_FSIZE would cut short
/// (docs/privileges.md, "Resource limits") — a pipe, socket or terminal (the journal, a log
/// shipper) is handed to the worker as it is, so its log lines cost the master nothing.
final class ChildOutput {
    let readEnd: FileDescriptor
    /// 1 or 2: where the lines go in the master.
    let target: FileDescriptor
    /// Bytes after the last newline, held until their line is complete.
    private var partial: [UInt8] = []
    /// A line longer than this is passed on in pieces.
    static let longestLine = 16 * 1024
    /// The last refused call the child reported.
    private(set) var seccompReport: SeccompReporter.Report?
    /// Closed when its child was reaped (a poll round may still name it).
    private var isClosed = false

    /// Whether the child's `target` (1 or 2) goes through the master.
    static func isNeeded(for target: Int32) -> Bool {
        target == 2 || FileSystem.isRegularFile(FileDescriptor(rawValue: target))
    }

    /// A blocking pipe for the child's descriptor `target`; returns the end to map into the child.
    static func make(target: Int32) throws(Errno) -> (ChildOutput, childEnd: FileDescriptor) {
        let (read, write) = try Pipe.make()
        do { try read.setNonBlocking(true) } catch {
            try? read.close()
            try? write.close()
            throw error
        }
        return (ChildOutput(readEnd: read, target: FileDescriptor(rawValue: target)), write)
    }

    private init(readEnd: FileDescriptor, target: FileDescriptor) {
        self.readEnd = readEnd
        self.target = target
    }

    /// Reads what the pipe holds and passes on every complete line; `final` (the child ended)
    /// passes on the rest too.
    func drain(final: Bool = false) {
        guard !isClosed else { return }
        let bytes = Pipe.readAvailable(readEnd)
        partial += bytes
        var end = partial.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        if final || partial.count - end > ChildOutput.longestLine { end = partial.count }
        guard end > 0 else { return }
        let lines = Array(partial[..<end])
        partial.removeFirst(end)
        if target.rawValue == 2 {
            for line in lines.split(separator: UInt8(ascii: "\n")) {
                if let report = SeccompReporter.parse(Substring(decoding: line, as: UTF8.self)) { seccompReport = report }
            }
        }
        _ = try? target.writeAll(lines)
    }

    func close() {
        guard !isClosed else { return }
        drain(final: true)
        isClosed = true
        try? readEnd.close()
    }
}
