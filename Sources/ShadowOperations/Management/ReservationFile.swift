#if canImport(Glibc)
import Glibc
#endif

/// Persists reservations the way `replace` must (behavior.md §7): write `<path>.tmp`, fsync it,
/// rename it over `<path>`, then fsync the directory (upstream does not; a crash right after the
/// rename could otherwise lose it). Corresponds to open(2), write(2), fsync(2), rename(2).
public enum ReservationFile {
    /// Writes `bytes` atomically to `path` (mode 0644). On failure `path` is unchanged and the
    /// failure is `Failed to write reservations: <reason>`.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ManagementFailure) {
        let temporary = path + ".tmp"
        do {
            try write(bytes, to: temporary)
            try check(rename(temporary, path), "rename \(temporary)")
        } catch {
            unlink(temporary)
            throw ManagementFailure(error: "Failed to write reservations: \(error.description)")
        }
        syncDirectory(of: path)
    }

    private struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        try check(fd, "open \(path)")
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            try check(Int32(truncatingIfNeeded: n < 0 ? -1 : 0), "write \(path)")
            offset += n
        }
        try check(fsync(fd), "fsync \(path)")
    }

    private static func syncDirectory(of path: String) {
        let dir = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let fd = open(dir.isEmpty ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    private static func check(_ result: Int32, _ what: String) throws(Failure) {
        if result < 0 { throw Failure(description: "\(what): \(String(cString: strerror(errno)))") }
    }
}
