import Glibc
import ShadowSystem
import SystemPackage
import Testing

/// The workers' allow list (`SeccompFilter.worker`), resource limits and SIGSYS reporter, through
/// the probe's `worker-call` mode: what a worker needs works; every group of calls the list
/// refuses ends the process by SIGSYS with the call named on stderr; the few calls libc probes
/// fail with their errno. Fails instead of skipping when `CI` is set and it cannot run as root.
@Suite(.rootOrFailInCI)
struct WorkerFilterTests {
    static func run(_ call: String) throws -> TestSupport.ProbeRun {
        try TestSupport.requireRootInCI()
        let root = try TestSupport.makeTemporaryDirectory("root")
        defer { TestSupport.removeDirectory(root) }
        return try TestSupport.runProbe(["worker-call", "nobody", root, call], mergeStandardError: true)
    }

    @Test(arguments: [("thread", 0), ("kill-self", 0), ("mmap-rw", 0), ("clone3", ENOSYS), ("open", ENOENT)])
    func allowedOrHarmless(_ call: String, _ errno: Int32) throws {
        let run = try Self.run(call)
        #expect(run.status == .exited(0), "\(call): \(run.lines)")
        #expect(run.value(call) == "\(errno)", "\(call): \(run.lines)")
    }

    /// Each refused call by group, as `CALL → the name the reporter prints`.
    @Test(arguments: [
        // the shared UDP socket: a filter that drops everything, locked; or shutting it down
        ("setsockopt-attach-filter", "setsockopt"), ("setsockopt-lock-filter", "setsockopt"), ("shutdown", "shutdown"),
        // other processes of the account
        ("prlimit64", "prlimit64"), ("kill-parent", "kill"), ("ptrace", "ptrace"),
        // IPC reaching outside the chroot, the inherited terminal
        ("shmget", "shmget"), ("msgget", "msgget"), ("mq_open", "mq_open"), ("ioctl-tiocsti", "ioctl"),
        // new descriptors, programs, processes, credentials, namespaces, the kernel
        ("socket", "socket"), ("fork", "clone"), ("execve", "execve"), ("setuid", "setuid"),
        ("chroot", "chroot"), ("unshare", "unshare"), ("bpf", "bpf"), ("prctl-dumpable", "prctl"),
        ("prctl-name", "prctl"),
        // executable memory
        ("mmap-exec", "mmap"), ("mprotect-exec", "mprotect"),
    ])
    func refusedCallIsNamedAndKills(_ call: String, _ name: String) throws {
        let run = try Self.run(call)
        #expect(run.status == .signaled(SIGSYS), "\(call): \(run.status) \(run.lines)")
        #expect(run.value(call) == nil, "\(call) returned: \(run.lines)")
        let report = run.lines.compactMap { SeccompReporter.parse(Substring($0)) }.first
        #expect(report?.process == "shadow-sandbox-probe", "\(call): \(run.lines)")
        #expect(report?.name == name, "\(call): \(run.lines)")
    }

    /// Other ABIs never reach the rules: libseccomp's architecture check kills outright.
    @Test(arguments: ["x32-getpid", "i386-getpid"])
    func otherABIsKill(_ call: String) throws {
        let run = try Self.run(call)
        #expect(run.status == .signaled(SIGSYS), "\(call): \(run.status) \(run.lines)")
        #expect(run.value(call) == nil)
    }

    @Test func limitsAreSetAndReadBack() throws {
        let run = try Self.run("limits")
        #expect(run.status == .exited(0), "\(run.lines)")
        let l = ResourceLimits.worker
        #expect(run.value("nofile") == "\(l.openFiles)/\(l.openFiles)")
        #expect(run.value("fsize") == "\(l.fileSize)/\(l.fileSize)")
        #expect(run.value("core") == "0/0")
        #expect(run.value("nproc") == "\(l.processes)/\(l.processes)")
        #expect(run.value("dumpable") == "0")
    }

    @Test func workerFilterIsAnAllowList() throws {
        let filter = SeccompFilter.worker()
        #expect(filter.unknownSyscalls.isEmpty, "\(filter.unknownSyscalls)")
        #expect(filter.defaultAction == .trap)
        #expect(!filter.rules.contains { $0.action == .allow && ["socket", "setsockopt", "shutdown"].contains($0.syscall) })
        // prlimit64 only to read its own limits: pid 0, no new value.
        #expect(filter.rules.filter { $0.syscall == "prlimit64" }.allSatisfy { $0.conditions.count == 2 })
    }

    @Test func unknownNameFailsTheLoad() {
        // Checked before anything is installed: this process stays unfiltered.
        let filter = SeccompFilter(defaultAction: .allow, rules: [.init("no_such_call_shadowdhcp", .fail(.notPermitted))])
        #expect(throws: SeccompFilter.LoadError.unknownSyscall("no_such_call_shadowdhcp")) { try filter.load() }
    }

    @Test func reporterLineParses() {
        let report = SeccompReporter.parse("shadow-v4: killed by seccomp: syscall 302 (prlimit64)")
        #expect(report == SeccompReporter.Report(process: "shadow-v4", number: 302, name: "prlimit64"))
        #expect(SeccompReporter.parse("shadow-v4: something else") == nil)
        #expect(SeccompReporter.parse("x: killed by seccomp: syscall 7x (y)") == nil)
    }
}
