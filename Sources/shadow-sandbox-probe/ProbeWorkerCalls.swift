// Raw calls on purpose: this probe makes the calls a compromised worker would, exactly as the
// kernel sees them, independently of ShadowSystem's wrappers.
import CShim
import Glibc
import ShadowSystem
import SystemPackage

/// `worker-call USER ROOTDIR CALL`: binds a UDP socket on loopback (the shared socket a worker
/// inherits), enters the sandbox exactly as a worker does (the worker's allow list, its resource
/// limits, the SIGSYS reporter), makes one call and prints `CALL=RESULT` (0 succeeded, else the
/// errno). A call the allow list refuses never returns: the reporter writes
/// `shadow-sandbox-probe: killed by seccomp: syscall N (name)` to stderr and the process dies by
/// SIGSYS. `limits` prints the limits as read back after the drop.
enum ProbeWorkerCalls {
    /// x86-64 system call numbers (Swift does not import the SYS_ macros).
    enum X86_64 {
        static let kill = 62
        static let prctl = 157
        static let prlimit64 = 302
        static let ptrace = 101
        static let shmget = 29
        static let msgget = 68
        static let mq_open = 240
        static let openat = 257
        static let clone = 56
        static let execve = 59
        static let setuid = 105
        static let chroot = 161
        static let unshare = 272
        static let bpf = 321
        static let getpid = 39
    }

    static func run(user: String, root: String, call: String) -> Int32 {
        let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        do {
            try SeccompReporter.install(process: "shadow-sandbox-probe")
            _ = try Sandbox.enter(SandboxPlan(user: user, rootDirectory: root, limits: .worker))
        } catch {
            print("error=\(error)")
            return 1
        }
        func outcome(_ result: Int) -> Int32 {
            print("\(call)=\(result < 0 ? Int(-result) : 0)")
            return 0
        }
        /// syscall(2) with the result as -errno.
        func raw(_ number: Int, _ a: Int = 0, _ b: Int = 0, _ c: Int = 0, _ d: Int = 0) -> Int32 {
            outcome(cshim_syscall4(number, a, b, c, d))
        }
        var one: Int32 = 1
        switch call {
        // allowed
        case "thread": return outcome(ProbeModes.startAndJoinThread() ? 0 : -1)
        case "kill-self": return raw(X86_64.kill, Int(getpid()), 0)
        case "mmap-rw":
            let p = mmap(nil, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            return outcome(p == MAP_FAILED ? -Int(errno) : 0)
        case "prctl-name": return raw(X86_64.prctl, 15 /* PR_SET_NAME */, Int(bitPattern: UnsafeRawPointer(("probe" as StaticString).utf8Start)))
        case "limits":
            for (name, resource) in [("nofile", Int32(7)), ("fsize", 1), ("core", 4), ("nproc", 6)] {
                var limit = rlimit()
                getrlimit(resource, &limit)
                print("\(name)=\(limit.rlim_cur)/\(limit.rlim_max)")
            }
            print("dumpable=\(cshim_get_dumpable())")
            return 0
        // fails with an errno (glibc falls back)
        case "clone3": return raw(435 /* clone3 */, 0, 0)
        // refused: the shared UDP socket
        case "setsockopt-attach-filter":
            return outcome(Int(setsockopt(udp, SOL_SOCKET, SO_ATTACH_FILTER, &one, 4)))
        case "setsockopt-lock-filter":
            return outcome(Int(setsockopt(udp, SOL_SOCKET, 44 /* SO_LOCK_FILTER */, &one, 4)))
        case "shutdown": return outcome(Int(shutdown(udp, Int32(SHUT_RDWR))))
        // refused: other processes of the same account
        case "prlimit64": return raw(X86_64.prlimit64, Int(getppid()), 7 /* RLIMIT_NOFILE */, 0, 0)
        case "kill-parent": return raw(X86_64.kill, Int(getppid()), 0)
        case "ptrace": return raw(X86_64.ptrace, 16 /* PTRACE_ATTACH */, Int(getppid()))
        // refused: IPC outside the chroot, the terminal
        case "shmget": return raw(X86_64.shmget, 0 /* IPC_PRIVATE */, 4096, 0o1600)
        case "msgget": return raw(X86_64.msgget, 0, 0o1600)
        case "mq_open": return raw(X86_64.mq_open, Int(bitPattern: UnsafeRawPointer(("q" as StaticString).utf8Start)), Int(O_RDWR | O_CREAT), 0o600, 0)
        case "ioctl-tiocsti":
            var c: CChar = 0x41
            return outcome(Int(ioctl(2, 0x5412 /* TIOCSTI */, &c)))
        // refused: new descriptors, programs, processes, credentials
        case "socket": return outcome(Int(socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)))
        case "open": return raw(X86_64.openat, Int(AT_FDCWD), Int(bitPattern: UnsafeRawPointer(("/" as StaticString).utf8Start)), 0)
        case "fork": return raw(X86_64.clone, Int(SIGCHLD), 0)
        case "execve": return raw(X86_64.execve, Int(bitPattern: UnsafeRawPointer(("/bin/true" as StaticString).utf8Start)), 0, 0)
        case "setuid": return raw(X86_64.setuid, 0)
        case "chroot": return raw(X86_64.chroot, Int(bitPattern: UnsafeRawPointer(("/" as StaticString).utf8Start)))
        case "unshare": return raw(X86_64.unshare, 0x4000_0000 /* CLONE_NEWNET */)
        case "bpf": return raw(X86_64.bpf, 0, 0, 0)
        case "prctl-dumpable": return raw(X86_64.prctl, 4 /* PR_SET_DUMPABLE */, 1)
        // refused: executable memory
        case "mmap-exec":
            let p = mmap(nil, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            return outcome(p == MAP_FAILED ? -Int(errno) : 0)
        case "mprotect-exec":
            let p = mmap(nil, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            return outcome(Int(mprotect(p, 4096, PROT_READ | PROT_EXEC)))
        // refused: other ABIs (the architecture check kills without a report)
        case "x32-getpid": return raw(0x4000_0000 | X86_64.getpid)
        case "i386-getpid": return outcome(cshim_i386_syscall(20 /* i386 getpid */))
        default:
            print("error=unknown call \(call)")
            return 2
        }
    }
}
