import Glibc
import SystemPackage

/// Directory and file operations the master needs besides ``AtomicFile``.
public enum FileSystem {
    /// Creates `path` and any missing parents with `mode`; an existing directory is fine.
    ///
    /// Corresponds to mkdir(2) for each component.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(Errno) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if mkdir(prefix, mode) != 0 && errno != EEXIST { throw Errno(rawValue: errno) }
        }
        var st = stat()
        guard stat(path, &st) == 0 else { throw Errno(rawValue: errno) }
        guard st.st_mode & S_IFMT == S_IFDIR else { throw .notDirectory }
    }

    /// Permission bits (the low 12 bits of `st_mode`) and owner of `path`, following symlinks.
    ///
    /// Corresponds to stat(2).
    public static func permissions(of path: String) throws(Errno) -> (mode: UInt32, uid: UInt32) {
        var st = stat()
        guard stat(path, &st) == 0 else { throw Errno(rawValue: errno) }
        return (UInt32(st.st_mode & 0o7777), st.st_uid)
    }

    /// Whether `path` exists.
    ///
    /// Corresponds to access(2) F_OK.
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Renames `from` to `to` within one file system.
    ///
    /// Corresponds to rename(2).
    public static func rename(_ from: String, to: String) throws(Errno) {
        if Glibc.rename(from, to) != 0 { throw Errno(rawValue: errno) }
    }

    /// The directory holding the running executable (its siblings are the workers).
    ///
    /// Corresponds to readlink(2) of /proc/self/exe.
    public static func executableDirectory() -> String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return nil }
        let path = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return String(path[..<slash])
    }
}
