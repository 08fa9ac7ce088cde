import Glibc

/// The calling process.
public enum CurrentProcess {
    /// The process id.
    ///
    /// Corresponds to getpid(2).
    public static var id: Int32 { getpid() }

    /// The parent's process id (1 once the parent is gone and init adopted us).
    ///
    /// Corresponds to getppid(2).
    public static var parentID: Int32 { getppid() }

    /// The machine's host name (the kernel's nodename); nil if it cannot be read.
    ///
    /// Corresponds to gethostname(2).
    public static var hostName: String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return nil }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? nil : name
    }

    /// The value of environment variable `name`, if set.
    ///
    /// Corresponds to getenv(3).
    public static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// Ends the process with `status` after running atexit handlers and flushing stdio.
    ///
    /// Corresponds to exit(3).
    public static func exit(_ status: Int32) -> Never {
        Glibc.exit(status)
    }
}
