import SystemPackage

/// The soft limits of a process that the sandbox sets, as `/proc/PID/limits` shows them
/// (`UInt64.max` for `unlimited`). The master reads them for `workers`.
public struct ProcessLimits: Sendable, Equatable {
    public var openFiles: UInt64
    public var fileSize: UInt64
    public var coreSize: UInt64
    public var processes: UInt64

    public init(openFiles: UInt64, fileSize: UInt64, coreSize: UInt64, processes: UInt64) {
        self.openFiles = openFiles
        self.fileSize = fileSize
        self.coreSize = coreSize
        self.processes = processes
    }

    /// Parses the text of `/proc/PID/limits`; nil when a row is missing or unreadable.
    public static func parse(_ text: String) -> ProcessLimits? {
        func soft(_ row: String) -> UInt64? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(row + " ") }) else { return nil }
            guard let value = line.dropFirst(row.count).split(separator: " ").first else { return nil }
            return value == "unlimited" ? UInt64.max : UInt64(value)
        }
        guard let files = soft("Max open files"), let size = soft("Max file size"),
              let core = soft("Max core file size"), let processes = soft("Max processes") else { return nil }
        return ProcessLimits(openFiles: files, fileSize: size, coreSize: core, processes: processes)
    }

    /// Reads `/proc/PID/limits`.
    public static func read(pid: Int32) throws -> ProcessLimits {
        let fd = try FileDescriptor.open("/proc/\(pid)/limits", .readOnly, options: .closeOnExec)
        defer { try? fd.close() }
        let text = String(decoding: try Pipe.readAll(fd), as: UTF8.self)
        guard let limits = parse(text) else { throw Errno.invalidArgument }
        return limits
    }
}
