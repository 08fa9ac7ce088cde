import Glibc
import SystemPackage

/// Replaces files so that a reader (or a crash) sees either the old or the new content, never a
/// mix: the master's binding-table state file, `reservations.json` on `replace`.
public enum AtomicFile {
    /// Writes `bytes` to a new temporary file in `path`'s directory, fsyncs it, renames it over
    /// `path` and fsyncs the directory so the rename itself is durable. On any failure the
    /// temporary file is removed and `path` is untouched.
    ///
    /// Corresponds to open(2) O_CREAT|O_EXCL, write(2), fsync(2), rename(2) and fsync(2) on the
    /// directory.
    ///
    /// With `keepingOwnership`, a file already at `path` keeps its owner, group and mode: the
    /// temporary file gets them (fchown(2), fchmod(2)) before the rename; `permissions` then only
    /// applies to a new file.
    ///
    /// Returns nil when the new content is durable, or the error of the directory's fsync when
    /// only that failed: the file **is** replaced (readers and a restart see the new content),
    /// but a power loss could still bring the old one back — "written, not yet durable".
    @discardableResult
    public static func write(_ bytes: [UInt8], to path: String, permissions: mode_t = 0o644,
                             keepingOwnership: Bool = false) throws(Errno) -> Errno? {
        var result: Result<Errno?, Errno> = .success(nil)
        bytes.withUnsafeBytes { raw in
            do throws(Errno) {
                result = .success(try write(raw, to: path, permissions: permissions, keepingOwnership: keepingOwnership))
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    /// ``write(_:to:permissions:keepingOwnership:)`` from memory the caller keeps alive (e.g. a
    /// string's UTF-8, without a copy).
    @discardableResult
    public static func write(_ bytes: UnsafeRawBufferPointer, to path: String, permissions: mode_t = 0o644,
                             keepingOwnership: Bool = false) throws(Errno) -> Errno? {
        try stage(bytes, for: path, permissions: permissions, keepingOwnership: keepingOwnership).commit()
    }

    /// A new content written and synced under a temporary name beside its path, not yet in place:
    /// ``commit()`` renames it over the path and syncs the directory, ``discard()`` removes it.
    /// So a writer can prepare the file while something else that must succeed too is made, and
    /// replace it only if both did.
    public struct Staged: Sendable {
        public let path: String
        let temporary: String

        /// Renames the temporary file over ``path`` and fsyncs the directory. When the rename
        /// fails the temporary file is removed, ``path`` is untouched and the error thrown. When
        /// only the directory's fsync fails, the file is in place and that error is returned
        /// (nil: durable) — the caller reports "written, not yet durable", not a failure.
        ///
        /// Corresponds to rename(2) and fsync(2) on the directory.
        @discardableResult
        public func commit() throws(Errno) -> Errno? {
            do throws(Errno) {
                try FileSystem.rename(temporary, to: path)
            } catch {
                discard()
                throw error
            }
            do throws(Errno) {
                try syncDirectory(AtomicFile.split(path).0)
                return nil
            } catch {
                return error
            }
        }

        /// Removes the temporary file. Corresponds to unlink(2).
        public func discard() { try? FileSystem.remove(temporary) }
    }

    /// The first half of ``write(_:to:permissions:keepingOwnership:)``: the bytes in a new
    /// temporary file in `path`'s directory, fsynced. On failure nothing is left behind.
    ///
    /// Corresponds to open(2) O_CREAT|O_EXCL, write(2) and fsync(2).
    public static func stage(_ bytes: UnsafeRawBufferPointer, for path: String, permissions: mode_t = 0o644,
                             keepingOwnership: Bool = false) throws(Errno) -> Staged {
        let (directory, name) = split(path)
        let temporary = directory + "/." + name + ".tmp.\(CurrentProcess.id)"
        let fd = FileDescriptor(rawValue: try systemCall {
            open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        })
        do throws(Errno) {
            if keepingOwnership { try copyOwnership(of: path, to: fd) }
            try fd.writeFully(bytes)
            _ = try systemCall { fsync(fd.rawValue) }
            try fd.closeChecked()
        } catch {
            try? fd.closeChecked()
            try? FileSystem.remove(temporary)
            throw error
        }
        return Staged(path: path, temporary: temporary)
    }

    /// Gives `fd` the owner, group and permission bits of the file at `path`, when there is one.
    ///
    /// Corresponds to stat(2), fchown(2) and fchmod(2).
    static func copyOwnership(of path: String, to fd: FileDescriptor) throws(Errno) {
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT { return }
            throw Errno(rawValue: errno)
        }
        _ = try systemCall { fchown(fd.rawValue, st.st_uid, st.st_gid) }
        _ = try systemCall { fchmod(fd.rawValue, st.st_mode & 0o7777) }
    }

    /// fsync(2) on a directory, making a rename or create in it durable.
    ///
    /// Corresponds to open(2) O_DIRECTORY and fsync(2).
    public static func syncDirectory(_ directory: String) throws(Errno) {
        let dir = FileDescriptor(rawValue: try systemCall {
            open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        })
        defer { try? dir.closeChecked() }
        _ = try systemCall { fsync(dir.rawValue) }
    }

    /// ("dir", "name") for "dir/name"; (".", "name") for a bare name.
    static func split(_ path: String) -> (String, String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }
}
