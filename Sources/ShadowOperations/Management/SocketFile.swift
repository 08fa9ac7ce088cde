#if canImport(Glibc)
import Glibc
#endif

/// File-system steps around the management Unix socket. Corresponds to lstat(2), chmod(2),
/// rename(2) and unlink(2).
enum SocketFile {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Throws when `path` exists and is not a socket (we never replace a regular file).
    static func checkReplaceable(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        guard st.st_mode & S_IFMT == S_IFSOCK else {
            throw Failure(description: "mgmt_socket \(path) exists and is not a socket")
        }
    }

    /// Removes `path` when it is a socket (a stale one from an earlier run).
    static func removeIfSocket(_ path: String) {
        var st = stat()
        if lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFSOCK { unlink(path) }
    }

    /// A name in the same directory to bind at first, or nil when it would be too long for `sun_path`.
    static func temporaryPath(for path: String) -> String? {
        let dir = path.lastIndex(of: "/").map { String(path[...$0]) } ?? ""
        let candidate = "\(dir).mgmt.\(getpid()).tmp"
        return candidate.utf8.count <= 107 ? candidate : nil
    }

    /// Mode 0600: only root (the master's user) may connect; with `group`, owner root, that
    /// group, mode 0660: members may connect too. Corresponds to chown(2) and chmod(2).
    static func restrict(_ path: String, group: UInt32? = nil) throws {
        if let group {
            guard chown(path, 0, group) == 0 else {
                throw Failure(description: "chown root:\(group) \(path): \(String(cString: strerror(errno)))")
            }
        }
        let mode: mode_t = group == nil ? 0o600 : 0o660
        guard chmod(path, mode) == 0 else {
            throw Failure(description: "chmod \(String(mode, radix: 8)) \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(from)
            throw Failure(description: "rename \(from) to \(to): \(message)")
        }
    }
}
