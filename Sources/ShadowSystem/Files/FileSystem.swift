import Glibc
import SystemPackage

/// Directory and file operations besides ``AtomicFile``.
public enum FileSystem {
    /// Creates `path` and any missing parents with `mode`; an existing directory is fine.
    ///
    /// Corresponds to mkdir(2) for each component and stat(2).
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(Errno) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            try makeDirectory(prefix, mode: mode)
        }
        var st = stat()
        _ = try systemCall { stat(path, &st) }
        guard st.st_mode & S_IFMT == S_IFDIR else { throw .notDirectory }
    }

    /// Why the directory at `path` is not safe for a root process to trust, if it is not: not a
    /// directory (a symlink included: it is not followed), not owned by `owner`, or writable by
    /// its group or by others — someone else could then plant or swap files in it.
    ///
    /// Corresponds to lstat(2).
    public static func untrustedDirectoryProblem(_ path: String, owner: UInt32 = 0) -> String? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return "cannot inspect it: \(Errno(rawValue: errno))" }
        if st.st_mode & S_IFMT == S_IFLNK { return "it is a symbolic link" }
        guard st.st_mode & S_IFMT == S_IFDIR else { return "it is not a directory" }
        if st.st_uid != owner { return "it is owned by uid \(st.st_uid), not \(owner)" }
        let mode = st.st_mode & 0o7777
        if mode & 0o022 != 0 {
            return "its mode \(String(mode, radix: 8)) lets its group or others write to it"
        }
        return nil
    }

    /// Creates the directory `path` with `mode`; an existing one (EEXIST) is fine.
    ///
    /// Corresponds to mkdir(2).
    public static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws(Errno) {
        do { _ = try systemCall { mkdir(path, mode) } } catch where error == .fileExists {}
    }

    /// Permission bits (the low 12 bits of `st_mode`) and owner of `path`, following symlinks.
    ///
    /// Corresponds to stat(2).
    public static func permissions(of path: String) throws(Errno) -> (mode: UInt32, uid: UInt32) {
        var st = stat()
        _ = try systemCall { stat(path, &st) }
        return (UInt32(st.st_mode & 0o7777), st.st_uid)
    }

    /// Whether `path` exists.
    ///
    /// Corresponds to access(2) F_OK.
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Whether the caller may read and write `path` (for a socket: connect to it).
    ///
    /// Corresponds to access(2) R_OK | W_OK.
    public static func isReadableAndWritable(_ path: String) -> Bool { access(path, R_OK | W_OK) == 0 }

    /// Whether `path` exists and the caller may execute it.
    ///
    /// Corresponds to access(2) X_OK.
    public static func isExecutable(_ path: String) -> Bool { access(path, X_OK) == 0 }

    /// What a path names, without following a final symbolic link.
    public enum FileKind: Sendable, Equatable {
        case regular, directory, socket, symbolicLink, other
    }

    /// The kind of file at `path` (a symbolic link is reported as one), nil when nothing is there
    /// or it cannot be examined.
    ///
    /// Corresponds to lstat(2).
    public static func kind(of path: String) -> FileKind? {
        var st = stat()
        guard (try? systemCall({ lstat(path, &st) })) != nil else { return nil }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        case S_IFSOCK: return .socket
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }

    /// Whether the open descriptor `fd` is a regular file (false when it cannot be examined).
    ///
    /// Corresponds to fstat(2).
    public static func isRegularFile(_ fd: FileDescriptor) -> Bool {
        var st = stat()
        guard (try? systemCall({ fstat(fd.rawValue, &st) })) != nil else { return false }
        return st.st_mode & S_IFMT == S_IFREG
    }

    /// Renames `from` to `to` within one file system.
    ///
    /// Corresponds to rename(2).
    public static func rename(_ from: String, to: String) throws(Errno) {
        _ = try systemCall { Glibc.rename(from, to) }
    }

    /// Removes the file (not directory) `path`.
    ///
    /// Corresponds to unlink(2).
    public static func remove(_ path: String) throws(Errno) {
        _ = try systemCall { unlink(path) }
    }

    /// Sets the permission bits of `path`.
    ///
    /// Corresponds to chmod(2).
    public static func setPermissions(_ path: String, _ mode: mode_t) throws(Errno) {
        _ = try systemCall { chmod(path, mode) }
    }

    /// Sets the owner and group of `path`.
    ///
    /// Corresponds to chown(2).
    public static func setOwner(_ path: String, user: uid_t, group: gid_t) throws(Errno) {
        _ = try systemCall { chown(path, user, group) }
    }

    /// The names in `directory`, without `.` and `..`, in the order the kernel returns them.
    ///
    /// Corresponds to opendir(3), readdir(3) and closedir(3) (getdents64(2)).
    public static func names(in directory: String) throws(Errno) -> [String] {
        guard let dir = opendir(directory) else { throw lastErrno() }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Where the symbolic link `path` points, nil when it is not one or cannot be read.
    ///
    /// Corresponds to readlink(2).
    public static func destination(ofLink path: String) -> String? {
        var buf = [CChar](repeating: 0, count: 4096)
        guard let n = try? systemCall({ readlink(path, &buf, buf.count - 1) }) else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The directory holding the running executable (its siblings are the workers).
    ///
    /// Corresponds to readlink(2) of /proc/self/exe.
    public static func executableDirectory() -> String? {
        guard let path = destination(ofLink: "/proc/self/exe"), !path.isEmpty,
              let slash = path.lastIndex(of: "/") else { return nil }
        return String(path[..<slash])
    }

    /// The current working directory, nil when it cannot be determined (removed, too long).
    ///
    /// Corresponds to getcwd(3) (getcwd(2)).
    public static func workingDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return nil }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Opens `path` read-only, close-on-exec.
    ///
    /// Corresponds to open(2) with O_RDONLY | O_CLOEXEC.
    public static func openForReading(_ path: String) throws(Errno) -> FileDescriptor {
        FileDescriptor(rawValue: try systemCall { open(path, O_RDONLY | O_CLOEXEC) })
    }

    /// Opens `path` for appending, close-on-exec, creating it with `permissions` when missing
    /// (log files, a child's captured output). `truncating` empties an existing file first.
    ///
    /// Corresponds to open(2) with O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC (and O_TRUNC).
    public static func openForAppending(_ path: String, truncating: Bool = false,
                                        permissions: mode_t = 0o644) throws(Errno) -> FileDescriptor {
        let flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncating ? O_TRUNC : 0)
        return FileDescriptor(rawValue: try systemCall { open(path, flags, permissions) })
    }

    /// The whole file at `path`.
    ///
    /// Corresponds to open(2), read(2) until end of file, and close(2).
    ///
    /// A regular file is read into one array of the size fstat(2) gives (then on to its end, in
    /// case it grew): no array grown and copied chunk by chunk — for a 157 MB `reservations.json`
    /// that was about a tenth of a second of a reload.
    public static func contents(of path: String) throws(Errno) -> [UInt8] {
        let fd = try openForReading(path)
        defer { try? fd.closeChecked() }
        var info = stat()
        _ = try systemCall { fstat(fd.rawValue, &info) }
        let size = Int(info.st_size)
        // Files of /proc and /sys say 0.
        guard size > 0 else { return try fd.readToEnd(chunkSize: 1 << 20) }
        var bytes = try fd.read(upTo: size)
        if bytes.count == size { bytes += try fd.readToEnd(chunkSize: 1 << 16) }
        return bytes
    }
}

extension FileDescriptor {
    /// Writes every byte of `bytes`, continuing after short writes.
    ///
    /// Corresponds to write(2), repeated.
    public func writeFully(_ bytes: UnsafeRawBufferPointer) throws(Errno) {
        var offset = 0
        while offset < bytes.count {
            offset += try systemCall { Glibc.write(rawValue, bytes.baseAddress! + offset, bytes.count - offset) }
        }
    }

    /// Writes every byte of `bytes`; see ``writeFully(_:)-(UnsafeRawBufferPointer)``.
    public func writeFully(_ bytes: [UInt8]) throws(Errno) {
        try bytes.withUnsafeBytes { raw in Result { () throws(Errno) in try writeFully(raw) } }.get()
    }

    /// Reads `count` bytes, or fewer at end of file, into an array allocated once.
    ///
    /// Corresponds to read(2), repeated.
    public func read(upTo count: Int) throws(Errno) -> [UInt8] {
        var failure: Errno?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = 0
            while initialized < count {
                do throws(Errno) {
                    let n = try systemCall { Glibc.read(rawValue, buffer.baseAddress! + initialized, count - initialized) }
                    if n == 0 { return }
                    initialized += n
                } catch {
                    failure = error
                    return
                }
            }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Reads until end of file.
    ///
    /// Corresponds to read(2), repeated.
    public func readToEnd(chunkSize: Int = 4096) throws(Errno) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let n = try systemCall { chunk.withUnsafeMutableBytes { Glibc.read(rawValue, $0.baseAddress, $0.count) } }
            if n == 0 { return out }
            out.append(contentsOf: chunk[..<n])
        }
    }

    /// Whether this descriptor is a terminal.
    ///
    /// Corresponds to isatty(3) (ioctl(2) TCGETS).
    public var isTerminal: Bool { isatty(rawValue) == 1 }
}

/// The process's standard error, for messages written before (or instead of) logging.
public enum StandardError {
    /// Writes `text` with as few write(2) calls as possible; errors are ignored (there is nowhere
    /// left to report them).
    ///
    /// Corresponds to write(2) on descriptor 2.
    public static func write(_ text: String) {
        try? FileDescriptor.standardError.writeFully(Array(text.utf8))
    }

    /// Whether descriptor 2 is a terminal (isatty(3)).
    public static var isTerminal: Bool { FileDescriptor.standardError.isTerminal }
}
