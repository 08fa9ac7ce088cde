import Glibc
import ShadowSystem
import SystemPackage
import Testing

/// Helpers shared by the ShadowSystem tests.
enum TestSupport {
    /// The probe executable next to the test bundle (built with the package).
    static var probePath: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let exe = String(decoding: buffer[..<max(n, 0)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let dir = exe[..<(exe.lastIndex(of: "/") ?? exe.endIndex)]
        return dir + "/shadow-sandbox-probe"
    }

    static var isRoot: Bool { getuid() == 0 }
    /// `CI` is set: tests that need root must fail, not skip, when they cannot run.
    static var inCI: Bool { CurrentProcess.environment("CI") != nil }

    /// Throws when not root: reached only in CI (``Trait/rootOrFailInCI`` skips elsewhere).
    static func requireRootInCI() throws {
        guard isRoot else { throw Errno.notPermitted }
    }

    /// Output of a finished probe: its `key=value` lines and how it ended.
    struct ProbeRun {
        var lines: [String]
        var status: TerminationStatus

        /// Values of every line starting with `key=`.
        func values(_ key: String) -> [String] {
            lines.filter { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
        }

        func value(_ key: String) -> String? { values(key).first }
    }

    /// Runs the probe with `arguments`, its stdout as a pipe at fd 1 plus `descriptors`, and
    /// waits for it (killing it if reading fails).
    /// `mergeStandardError` gives the probe the same pipe as stderr (fd 2), so its lines are read too.
    static func runProbe(_ arguments: [String], environment: [String] = [],
                         descriptors: [DescriptorMapping] = [], mergeStandardError: Bool = false) throws -> ProbeRun {
        let (readEnd, writeEnd) = try Pipe.make()
        defer { try? readEnd.close() }
        let child: ChildProcess
        do {
            defer { try? writeEnd.close() }
            child = try ProcessSpawner.spawn(SpawnConfiguration(
                executable: probePath, arguments: [probePath] + arguments, environment: environment,
                descriptors: [DescriptorMapping(writeEnd, as: 1)]
                    + (mergeStandardError ? [DescriptorMapping(writeEnd, as: 2)] : []) + descriptors))
        }
        let output: [UInt8]
        do { output = try Pipe.readAll(readEnd) } catch {
            try? child.signal(SIGKILL)
            _ = try? child.wait()
            throw error
        }
        let status = try child.wait()
        return ProbeRun(lines: String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init),
                        status: status)
    }

    /// A fresh empty directory under /tmp (mode 0755, owned by the caller).
    static func makeTemporaryDirectory(_ tag: String) throws -> String {
        var template = Array("/tmp/shadow-\(tag)-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw Errno(rawValue: errno) }
        let path = String(cString: p)
        chmod(path, 0o755)
        return path
    }

    static func removeDirectory(_ path: String) {
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(dir)
        }
        rmdir(path)
    }

    /// What /proc/self/fd/N points to in this process.
    static func linkTarget(_ fd: FileDescriptor) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let n = readlink("/proc/self/fd/\(fd.rawValue)", &buffer, buffer.count - 1)
        return String(decoding: buffer[..<max(n, 0)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension Trait where Self == ConditionTrait {
    /// Privilege and sandbox tests: run as root; elsewhere skip, except under `CI`, where they run
    /// and fail (``TestSupport/requireRootInCI()``) rather than pass unnoticed.
    static var rootOrFailInCI: Self {
        .enabled(if: TestSupport.isRoot || TestSupport.inCI, "needs root to drop privileges (fails instead when CI is set)")
    }
}
