import Glibc
import ShadowSystem
import SystemPackage
import Testing

@Suite struct SandboxTests {
    /// Spawns the probe as root; it drops like a worker and reports what /proc/self/status says,
    /// then tries calls the filter must refuse.
    @Test(.rootOrFailInCI)
    func probeDropsEverything() throws {
        try TestSupport.requireRootInCI()
        let root = try TestSupport.makeTemporaryDirectory("root")
        defer { TestSupport.removeDirectory(root) }
        let run = try TestSupport.runProbe(["drop", "nobody", root])
        #expect(run.status == .exited(0), "\(run.lines)")
        #expect(run.value("result") == "ok")
        let nobody = try Sandbox.lookUp("nobody")
        #expect(run.value("uid") == Array(repeating: "\(nobody.uid)", count: 4).joined(separator: ","))
        #expect(run.value("gid") == Array(repeating: "\(nobody.gid)", count: 4).joined(separator: ","))
        #expect(run.value("groups") == "\(nobody.gid)")
        #expect(run.value("capinh") == "0 capprm=0 capeff=0 capbnd=0 capamb=0")
        #expect(run.value("nonewprivs") == "1")
        #expect(run.value("seccomp") == "2")
        #expect(run.value("kill_self") == "0")
        #expect(run.value("thread") == "ok")
    }

    @Test(.rootOrFailInCI)
    func nonEmptyRootIsRefusedBeforeAnythingIsDropped() throws {
        try TestSupport.requireRootInCI()
        let root = try TestSupport.makeTemporaryDirectory("root")
        defer { TestSupport.removeDirectory(root) }
        let fd = open(root + "/file", O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        close(fd)
        let run = try TestSupport.runProbe(["drop", "nobody", root])
        #expect(run.status == .exited(1))
        #expect(run.value("error")?.contains("rootNotEmpty") == true)
    }

    @Test func unknownUserAndRootAreRefused() {
        #expect(throws: SandboxError.self) { _ = try Sandbox.lookUp("no-such-user-shadowdhcp") }
        #expect(throws: SandboxError.self) { _ = try Sandbox.lookUp("root") }
    }


    @Test func auditFlagsAnUnconfinedProcess() throws {
        let me = try ProcessStatus.read(pid: getpid())
        let problems = SandboxAudit.problems(in: me)
        #expect(!problems.isEmpty)
        #expect(me.pid == getpid())
    }
}

/// The operations process's allow list (`SeccompFilter.ops`): what it needs works, what it never
/// needs kills it (SIGSYS), and the few calls libraries make harmlessly fail with an errno.
@Suite(.rootOrFailInCI)
struct OpsFilterTests {
    static func run(_ call: String) throws -> TestSupport.ProbeRun {
        try TestSupport.requireRootInCI()
        let root = try TestSupport.makeTemporaryDirectory("root")
        defer { TestSupport.removeDirectory(root) }
        return try TestSupport.runProbe(["ops-call", "nobody", root, call])
    }

    @Test(arguments: [("accept-listener", EAGAIN), ("listen-listener", 0), ("socket-tcp", 0), ("thread", 0),
                      ("socket-unix", EACCES), ("open", ENOENT)])
    func allowedOrHarmless(_ call: String, _ errno: Int32) throws {
        let run = try Self.run(call)
        #expect(run.status == .exited(0), "\(call): \(run.lines)")
        #expect(run.value(call) == "\(errno)", "\(call): \(run.lines)")
    }

    @Test(arguments: ["accept-other", "listen-other", "bind", "socket-udp", "socket-raw", "fork", "execve", "setuid",
                      "chroot", "kill-parent", "unlink"])
    func forbiddenKills(_ call: String) throws {
        let run = try Self.run(call)
        #expect(run.status == .signaled(SIGSYS), "\(call): \(run.status) \(run.lines)")
        #expect(run.value(call) == nil)
    }

    @Test func opsFilterResolvesOnThisKernel() {
        let filter = SeccompFilter.ops(listeners: [4, 5, 6])
        #expect(filter.unknownSyscalls.isEmpty, "\(filter.unknownSyscalls)")
        #expect(filter.defaultAction == .killProcess)
    }
}
