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
    public static func write(_ bytes: [UInt8], to path: String, permissions: mode_t = 0o644) throws(Errno) {
        let (directory, name) = split(path)
        let temporary = directory + "/." + name + ".tmp.\(CurrentProcess.id)"
        let fd = FileDescriptor(rawValue: try systemCall {
            open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        })
        do throws(Errno) {
            try fd.writeFully(bytes)
            _ = try systemCall { fsync(fd.rawValue) }
            try fd.closeChecked()
        } catch {
            try? fd.closeChecked()
            try? FileSystem.remove(temporary)
            throw error
        }
        do throws(Errno) {
            try FileSystem.rename(temporary, to: path)
        } catch {
            try? FileSystem.remove(temporary)
            throw error
        }
        try syncDirectory(directory)
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
