import Glibc
import ShadowSystem
import SystemPackage
import Testing

@Suite struct ProcessSpawnerTests {
    /// The child sees exactly 0, 1, 2 and the mapped descriptors, each pointing at the right file,
    /// even when a source's number is another mapping's target (the dup2 ordering pitfall).
    @Test func childGetsExactlyTheMappedDescriptors() throws {
        let devNull = try FileDescriptor.open("/dev/null", .readWrite, options: .closeOnExec)
        let (a, b) = try SeqPacketChannel.makeSocketPair()
        // A descriptor left without CLOEXEC by a careless library must not leak.
        let stray = FileDescriptor(rawValue: dup(devNull.rawValue))
        defer { for fd in [devNull, a, b, stray] { try? fd.close() } }
        // Map a → b's own number and b → the next one: naive dup2 order would copy a twice.
        let target = b.rawValue
        let run = try TestSupport.runProbe(["fds"], environment: ["ONLY=this"], descriptors: [
            DescriptorMapping(devNull, as: 0), DescriptorMapping(devNull, as: 2),
            DescriptorMapping(a, as: target), DescriptorMapping(b, as: target + 1),
        ])
        #expect(run.status == .exited(0))
        let expected = [
            "0:/dev/null", "1:" + "pipe", "2:/dev/null",
            "\(target):" + TestSupport.linkTarget(a), "\(target + 1):" + TestSupport.linkTarget(b),
        ]
        let fds = run.values("fd")
        #expect(fds.count == expected.count)
        for (seen, wanted) in zip(fds, expected) { #expect(seen.hasPrefix(wanted)) }
        #expect(TestSupport.linkTarget(a) != TestSupport.linkTarget(b))
        #expect(run.values("env") == ["ONLY=this"])
        #expect(run.value("sigblk") == "0000000000000000")
        // glibc's posix_spawn leaves its own internal signals 32 and 33 (SIGCANCEL, SIGSETXID)
        // ignored when the parent handles them; sigfillset cannot name them. Nothing else may be.
        let ignored = UInt64(run.value("sigign") ?? "", radix: 16)
        #expect(ignored.map { $0 & ~UInt64(0x1_8000_0000) } == 0)
    }

    /// `newSession` makes the child a session leader (its sid is its pid, not ours);
    /// `standardInputFromNull` puts `/dev/null` at 0.
    @Test func newSessionAndNullStandardInput() throws {
        let child = try ProcessSpawner.spawn(SpawnConfiguration(
            executable: "/bin/sleep", arguments: ["sleep", "30"], newSession: true, standardInputFromNull: true))
        defer {
            try? child.signal(SIGKILL)
            _ = try? child.wait()
        }
        func session(_ pid: pid_t) -> String? {
            guard let fd = try? FileDescriptor.open("/proc/\(pid)/stat", .readOnly) else { return nil }
            defer { try? fd.close() }
            var buffer = [UInt8](repeating: 0, count: 1024)
            let n = (try? buffer.withUnsafeMutableBytes { try fd.read(into: $0) }) ?? 0
            let text = String(decoding: buffer[..<n], as: UTF8.self)
            guard let close = text.lastIndex(of: ")") else { return nil }
            let fields = text[text.index(after: close)...].split(separator: " ")
            return fields.count > 3 ? String(fields[3]) : nil
        }
        #expect(session(child.pid) == String(child.pid))
        #expect(session(child.pid) != session(getpid()))
        #expect(FileSystem.destination(ofLink: "/proc/\(child.pid)/fd/0") == "/dev/null")
    }

    @Test func signalAndWaitReportTheTermination() throws {
        let child = try ProcessSpawner.spawn(SpawnConfiguration(executable: "/bin/sleep", arguments: ["sleep", "30"]))
        #expect(try child.tryWait() == nil)
        try child.signal(SIGTERM)
        #expect(try child.wait() == .signaled(SIGTERM))
        let ok = try ProcessSpawner.spawn(SpawnConfiguration(executable: "/bin/sh", arguments: ["sh", "-c", "exit 3"]))
        #expect(try ok.wait() == .exited(3))
    }

    @Test func missingExecutableIsAnError() {
        #expect(throws: Errno.noSuchFileOrDirectory) {
            _ = try ProcessSpawner.spawn(SpawnConfiguration(executable: "/nonexistent/shadow-worker"))
        }
    }

    @Test func waitStatusDecoding() {
        #expect(TerminationStatus(waitStatus: 0) == .exited(0))
        #expect(TerminationStatus(waitStatus: 3 << 8) == .exited(3))
        #expect(TerminationStatus(waitStatus: 9) == .signaled(9))
        #expect(TerminationStatus(waitStatus: 0x80 | 11) == .signaled(11))
    }
}
