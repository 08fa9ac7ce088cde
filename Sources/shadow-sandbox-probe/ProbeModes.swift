// Glibc stays here on purpose: this test probe lists descriptors and the environment as the
// kernel sees them, independently of ShadowSystem's wrappers.
import Glibc
import ShadowSystem
import SystemPackage

enum ProbeModes {
    /// Prints `fd=N:target` per open descriptor (the listing's own excluded), `sigblk=`/`sigign=` from
    /// /proc/self/status and `env=` per environment entry.
    static func listDescriptors() {
        guard let dir = opendir("/proc/self/fd") else { print("error=opendir"); return }
        let own = dirfd(dir)
        var fds: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let fd = Int32(name), fd != own { fds.append(fd) }
        }
        closedir(dir)
        for fd in fds.sorted() { print("fd=\(fd):\(linkTarget(fd))") }
        let status = (try? readText("/proc/self/status")) ?? ""
        for line in status.split(separator: "\n") where line.hasPrefix("SigBlk:") || line.hasPrefix("SigIgn:") {
            let parts = line.split(separator: "\t")
            print("\(parts[0].dropLast().lowercased())=\(parts.last ?? "")")
        }
        var env = environ
        while let entry = env.pointee { print("env=\(String(cString: entry))"); env += 1 }
    }

    /// What /proc/self/fd/N points to (e.g. `pipe:[1234]`).
    static func linkTarget(_ fd: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let n = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
        return n < 0 ? "?" : String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Enters the sandbox as a worker does (allow list and limits) and reports; exit status 0 only
    /// when the drop succeeded. What the allow list refuses is `worker-call`'s job.
    static func drop(user: String, root: String) -> Int32 {
        let status: ProcessStatus
        do { status = try Sandbox.enter(SandboxPlan(user: user, rootDirectory: root, limits: .worker)) } catch {
            print("error=\(error)")
            return 1
        }
        report(status)
        print("kill_self=\(kill(getpid(), 0) == -1 ? errno : 0)")
        print("thread=\(startAndJoinThread() ? "ok" : "failed")")
        print("result=ok")
        return 0
    }

    static func report(_ s: ProcessStatus) {
        print("uid=\(s.uids.map(String.init).joined(separator: ","))")
        print("gid=\(s.gids.map(String.init).joined(separator: ","))")
        print("groups=\(s.groups.map(String.init).joined(separator: ","))")
        print("capinh=\(s.capInheritable) capprm=\(s.capPermitted) capeff=\(s.capEffective) capbnd=\(s.capBounding) capamb=\(s.capAmbient)")
        print("nonewprivs=\(s.noNewPrivileges ? 1 : 0)")
        print("seccomp=\(s.seccompMode)")
        print("threads=\(s.threads)")
    }

    /// Whether a pthread can still be created (clone with CLONE_THREAD stays allowed).
    static func startAndJoinThread() -> Bool {
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { _ in nil }, nil)
        if rc != 0 { print("thread_errno=\(rc)"); return false }
        return pthread_join(thread, nil) == 0
    }

    static func readText(_ path: String) throws -> String {
        let fd = try FileDescriptor.open(path, .readOnly, options: .closeOnExec)
        defer { try? fd.close() }
        return String(decoding: try Pipe.readAll(fd), as: UTF8.self)
    }
}
