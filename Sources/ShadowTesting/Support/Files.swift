// Glibc stays here on purpose: these helpers write the fixtures and read back what the server
// wrote, so they must not share ShadowSystem's file code with the server under test.
import Glibc
import SystemPackage

/// Small file helpers for tests (the server's own file code is not used, so a bug there shows).
public enum Files {
    /// A fresh directory `/tmp/<prefix>-XXXXXX`, mode 0755.
    public static func makeTemporaryDirectory(prefix: String) throws -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw Errno(rawValue: errno) }
        let path = String(cString: p)
        chmod(path, 0o755)
        return path
    }

    /// Writes `text` to `path` (created or truncated).
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    public static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TestingError("cannot write \(path): \(Errno(rawValue: errno))") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TestingError("cannot write \(path): \(Errno(rawValue: errno))")
            }
            offset += n
        }
    }

    /// The whole file, or nil when it cannot be opened.
    public static func read(_ path: String) -> [UInt8]? {
        read(path, from: 0).map(\.bytes)
    }

    /// The file's text, or nil when it cannot be opened.
    public static func readText(_ path: String) -> String? {
        read(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The bytes from `offset` to the end, and the new end offset.
    static func read(_ path: String, from offset: Int) -> (bytes: [UInt8], end: Int)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var position = offset
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(position)) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { return (out, position) }
            out += chunk[..<n]
            position += n
        }
    }

    /// Sets the permission bits of `path` (the test's own files).
    public static func setMode(_ path: String, _ mode: UInt32) { chmod(path, mode_t(mode)) }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// The names in a directory (without `.` and `..`), sorted; empty if it cannot be read.
    public static func list(_ directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Removes `path` and everything below it (no symlinks are followed).
    public static func removeTree(_ path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if st.st_mode & S_IFMT == S_IFDIR {
            for name in list(path) { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
