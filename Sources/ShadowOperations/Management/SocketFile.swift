import ShadowSystem

/// File-system steps around the management Unix socket, over ``FileSystem``.
enum SocketFile {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Throws when `path` exists and is not a socket (we never replace a regular file).
    static func checkReplaceable(_ path: String) throws {
        guard let kind = FileSystem.kind(of: path) else { return }
        guard kind == .socket else {
            throw Failure(description: "mgmt_socket \(path) exists and is not a socket")
        }
    }

    /// Removes `path` when it is a socket (a stale one from an earlier run).
    static func removeIfSocket(_ path: String) {
        if FileSystem.kind(of: path) == .socket { try? FileSystem.remove(path) }
    }

    /// A name in the same directory to bind at first, or nil when it would be too long for `sun_path`.
    static func temporaryPath(for path: String) -> String? {
        let dir = path.lastIndex(of: "/").map { String(path[...$0]) } ?? ""
        let candidate = "\(dir).mgmt.\(CurrentProcess.id).tmp"
        return candidate.utf8.count <= 107 ? candidate : nil
    }

    /// Mode 0600: only root (the master's user) may connect; with `group`, owner root, that
    /// group, mode 0660: members may connect too.
    static func restrict(_ path: String, group: UInt32? = nil) throws {
        if let group {
            do { try FileSystem.setOwner(path, user: 0, group: group) } catch {
                throw Failure(description: "chown root:\(group) \(path): \(error)")
            }
        }
        let mode: UInt32 = group == nil ? 0o600 : 0o660
        do { try FileSystem.setPermissions(path, mode) } catch {
            throw Failure(description: "chmod \(String(mode, radix: 8)) \(path): \(error)")
        }
    }

    static func rename(_ from: String, to: String) throws {
        do { try FileSystem.rename(from, to: to) } catch {
            try? FileSystem.remove(from)
            throw Failure(description: "rename \(from) to \(to): \(error)")
        }
    }
}
