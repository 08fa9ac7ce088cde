import Glibc
import ShadowSystem
import SystemPackage
import Testing

@Suite struct FileTests {
    static func listing(_ dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func contents(_ path: String) throws -> String {
        let fd = try FileDescriptor.open(path, .readOnly, options: .closeOnExec)
        defer { try? fd.close() }
        return String(decoding: try Pipe.readAll(fd), as: UTF8.self)
    }

    @Test func atomicWriteReplacesAndLeavesNoTemporaryFile() throws {
        let dir = try TestSupport.makeTemporaryDirectory("atomic")
        defer { TestSupport.removeDirectory(dir) }
        let path = dir + "/bindings.json"
        try AtomicFile.write(Array("first\n".utf8), to: path)
        #expect(try Self.contents(path) == "first\n")
        try AtomicFile.write(Array("second, longer\n".utf8), to: path, permissions: 0o600)
        #expect(try Self.contents(path) == "second, longer\n")
        #expect(Self.listing(dir) == ["bindings.json"])
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o777 == 0o600)
    }

    @Test func atomicWriteCanKeepTheOwnerAndModeOfTheFileItReplaces() throws {
        let dir = try TestSupport.makeTemporaryDirectory("atomic-owner")
        defer { TestSupport.removeDirectory(dir) }
        let path = dir + "/reservations.json"
        try AtomicFile.write(Array("[]\n".utf8), to: path, permissions: 0o640, keepingOwnership: true)
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o777 == 0o640)
        let owner: (uid_t, gid_t) = getuid() == 0 ? (4321, 8765) : (info.st_uid, info.st_gid)
        #expect(chown(path, owner.0, owner.1) == 0 && chmod(path, 0o604) == 0)
        try AtomicFile.write(Array("[ ]\n".utf8), to: path, permissions: 0o600, keepingOwnership: true)
        stat(path, &info)
        #expect(info.st_mode & 0o777 == 0o604 && info.st_uid == owner.0 && info.st_gid == owner.1)
        #expect(try Self.contents(path) == "[ ]\n")
        #expect(Self.listing(dir) == ["reservations.json"])
    }

    @Test func contentsAreEveryByteWhetherTheFileIsEmptyExactOrLargerThanItsSizeSaid() throws {
        let dir = try TestSupport.makeTemporaryDirectory("contents")
        defer { TestSupport.removeDirectory(dir) }
        let path = dir + "/reservations.json"
        for count in [0, 1, 4095, 4096, 3 << 20] {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
            try AtomicFile.write(bytes, to: path)
            #expect(try FileSystem.contents(of: path) == bytes)
        }
        // A size that is too small (the file grew after fstat) or says nothing (a pipe, /proc).
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0) }
        try AtomicFile.write(bytes, to: path)
        for expected in [0, 1, 99_999] {
            let fd = try FileDescriptor.open(path, .readOnly, options: .closeOnExec)
            defer { try? fd.close() }
            #expect(try fd.readToEnd(expectedByteCount: expected) == bytes)
        }
        let fd = try FileDescriptor.open(path, .readOnly, options: .closeOnExec)
        defer { try? fd.close() }
        #expect(try fd.readToEnd(expectedByteCount: 1_000_000) == bytes)
        // fstat(2) says 0 bytes for /proc files; they are read to their end all the same.
        #expect(String(decoding: try FileSystem.contents(of: "/proc/self/status"), as: UTF8.self).hasPrefix("Name:"))
        #expect(throws: Errno.noSuchFileOrDirectory) { try FileSystem.contents(of: dir + "/missing") }
    }

    @Test func atomicWriteIntoAMissingDirectoryFails() {
        #expect(throws: Errno.noSuchFileOrDirectory) {
            try AtomicFile.write([1], to: "/tmp/shadow-no-such-dir-\(getpid())/x")
        }
    }

    @Test func sealedMemoryFileIsReadOnlyAndChecked() throws {
        let payload = Array("snapshot bytes".utf8)
        let fd = try SealedMemoryFile.create(name: "test-snapshot", byteCount: payload.count) { buffer in
            buffer.copyBytes(from: payload)
        }
        defer { try? fd.close() }
        let mapping = try ReadOnlyMapping(descriptor: fd, expectedByteCount: payload.count)
        #expect(Array(mapping.bytes) == payload)
        // The seals hold: no write, no resize.
        #expect(pwrite(fd.rawValue, payload, 1, 0) == -1 && errno == EPERM)
        #expect(ftruncate(fd.rawValue, 1) == -1 && errno == EPERM)
        #expect(throws: MappingError.sizeMismatch(expected: 3, actual: payload.count)) {
            _ = try ReadOnlyMapping(descriptor: fd, expectedByteCount: 3)
        }
    }

    @Test func untrustedDirectories() throws {
        let dir = try TestSupport.makeTemporaryDirectory("trust")
        defer { TestSupport.removeDirectory(dir) }
        chmod(dir, 0o750)
        #expect(FileSystem.untrustedDirectoryProblem(dir, owner: getuid()) == nil)
        chmod(dir, 0o770)
        #expect(FileSystem.untrustedDirectoryProblem(dir, owner: getuid()) == "its mode 770 lets its group or others write to it")
        chmod(dir, 0o1777)
        #expect(FileSystem.untrustedDirectoryProblem(dir, owner: getuid()) == "its mode 1777 lets its group or others write to it")
        chmod(dir, 0o755)
        #expect(FileSystem.untrustedDirectoryProblem(dir, owner: getuid() &+ 1)
                == "it is owned by uid \(getuid()), not \(getuid() &+ 1)")
        #expect(symlink(dir, dir + ".link") == 0)
        defer { unlink(dir + ".link") }
        #expect(FileSystem.untrustedDirectoryProblem(dir + ".link", owner: getuid()) == "it is a symbolic link")
        #expect(FileSystem.untrustedDirectoryProblem(dir + "/missing", owner: getuid())?.hasPrefix("cannot inspect it") == true)
    }

    /// A size announced by another process (a worker's or ops' IPC message) that no `Int` holds
    /// is refused like any wrong size: the root master must not trap on it.
    @Test func anAnnouncedSizeBeyondIntIsAMismatch() throws {
        let fd = try SealedMemoryFile.create(name: "test-snapshot", byteCount: 4) { $0.copyBytes(from: [1, 2, 3, 4]) }
        defer { try? fd.close() }
        #expect(throws: MappingError.sizeMismatch(expected: .max, actual: 4)) {
            _ = try ReadOnlyMapping(descriptor: fd, announcedByteCount: UInt64.max)
        }
        #expect(try ReadOnlyMapping(descriptor: fd, announcedByteCount: 4).bytes.count == 4)
    }

    @Test func unsealedDescriptorIsRefused() throws {
        let (readEnd, writeEnd) = try Pipe.make()
        defer { try? readEnd.close(); try? writeEnd.close() }
        #expect(throws: MappingError.self) { _ = try ReadOnlyMapping(descriptor: readEnd, expectedByteCount: 1) }
    }
}

@Suite struct DescriptorsTests {
    @Test func closeRangeClosesEverythingInTheRange() throws {
        let (readEnd, writeEnd) = try Pipe.make()
        let low = try readEnd.duplicateCloseOnExec(atLeast: 900)
        let high = try readEnd.duplicateCloseOnExec(atLeast: 950)
        defer { try? readEnd.close(); try? writeEnd.close() }
        try Descriptors.closeRange(from: low.rawValue, through: high.rawValue)
        #expect(fcntl(low.rawValue, F_GETFD) == -1 && errno == EBADF)
        #expect(fcntl(high.rawValue, F_GETFD) == -1 && errno == EBADF)
        #expect(fcntl(readEnd.rawValue, F_GETFD) != -1)
    }
}
