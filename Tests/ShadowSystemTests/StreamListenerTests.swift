import Glibc
import ShadowCore
import ShadowSystem
import SystemPackage
import Testing

/// The listeners the master binds for `shadow-ops` (docs/privileges.md, "The operations process").
@Suite struct StreamListenerTests {
    @Test func unixSocketDirectoryIsCreatedPrivateAndTheSocketIs0600() throws {
        let base = try TestSupport.makeTemporaryDirectory("listener")
        defer { unlink(base + "/run/mgmt.sock"); rmdir(base + "/run"); TestSupport.removeDirectory(base) }
        let old = umask(0o022)
        defer { umask(old) }
        let fd = try StreamListener.bindUnix(base + "/run/mgmt.sock")
        defer { try? fd.close() }
        var st = stat()
        #expect(stat(base + "/run", &st) == 0 && st.st_mode & 0o7777 == 0o750 && st.st_uid == geteuid())
        #expect(lstat(base + "/run/mgmt.sock", &st) == 0 && st.st_mode & S_IFMT == S_IFSOCK && st.st_mode & 0o777 == 0o600)
        #expect(StreamListener.isListening(fd, family: AF_UNIX))
        #expect(!StreamListener.isListening(fd, family: AF_INET))
        // No temporary name is left behind.
        #expect(Set(TestSupport.entries(base + "/run")) == ["mgmt.sock"])
        // A stale socket is replaced by the next master.
        let again = try StreamListener.bindUnix(base + "/run/mgmt.sock")
        try? again.close()
    }

    @Test func aDirectoryOthersMayWriteIsRefusedAndAFileIsNeverReplaced() throws {
        let base = try TestSupport.makeTemporaryDirectory("listener")
        defer { TestSupport.removeDirectory(base) }
        chmod(base, 0o777)
        #expect(throws: StreamListener.UnixSocketError.self) { try StreamListener.bindUnix(base + "/mgmt.sock") }
        #expect(TestSupport.entries(base).isEmpty)
        chmod(base, 0o755)
        let file = open(base + "/mgmt.sock", O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
        close(file)
        #expect(throws: StreamListener.UnixSocketError.self) { try StreamListener.bindUnix(base + "/mgmt.sock") }
        var st = stat()
        #expect(lstat(base + "/mgmt.sock", &st) == 0 && st.st_mode & S_IFMT == S_IFREG)
    }

    @Test func tcpListenerListensOnAnEphemeralPort() throws {
        let fd = try StreamListener.bindTCP(.v4(IPv4Address("127.0.0.1")!, port: 0))
        defer { try? fd.close() }
        #expect(StreamListener.isListening(fd, family: AF_INET))
        guard case .v4(_, let port) = try UDPSocket.localAddress(of: fd) else { Issue.record("not IPv4"); return }
        #expect(port != 0)
    }
}

extension TestSupport {
    /// The names in `directory` (without `.` and `..`).
    static func entries(_ directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var out: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { out.append(name) }
        }
        return out
    }
}
