import Glibc

extension SeccompFilter {
    /// The operations process's filter: **kill by default**, allow only what it was seen to use.
    ///
    /// Derived by running `shadow-ops` under `strace -ff` through its test scenarios (every
    /// management command over TCP and the Unix socket, `replace` with its memfd, `/metrics`,
    /// the event sink, shutdown) and keeping the calls made after the filter is loaded;
    /// docs/privileges.md lists them with reasons. A call not listed kills the whole process
    /// (SIGSYS, uncatchable); the master then restarts it with backoff, like any crash.
    ///
    /// `listeners` are the inherited listening sockets: `accept4` and `listen` (NIO re-applies
    /// the backlog to a socket it adopts) are allowed on those descriptors only. New sockets are
    /// allowed only as TCP over IPv4 or IPv6 (the event writer's connection); there is no `bind`,
    /// and `listen` on any other descriptor kills, so the process can never open a port itself.
    public static func ops(listeners: [Int32], selfPID: Int32 = getpid()) -> SeccompFilter {
        let allowed: [String] = [
            // I/O on descriptors it holds: the IPC socket (recvmsg/sendmsg with SCM_RIGHTS),
            // accepted connections and the event writer's connection (read/write/writev,
            // socket options, names), stdout for log lines.
            "read", "readv", "write", "writev", "close", "fcntl", "newfstatat", "pread64",
            "recvmsg", "sendmsg", "connect", "shutdown", "getsockopt", "setsockopt", "getsockname", "getpeername",
            // waiting: NIO's epoll loop with its eventfd and timerfd, Dispatch's, the log writer's poll
            "poll", "ppoll", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
            "eventfd2", "timerfd_create", "timerfd_settime",
            // memory: the Swift runtime and allocator, thread stacks, mapping a snapshot, building
            // the sealed memfd of a `replace`
            "mmap", "munmap", "mprotect", "madvise", "mremap", "brk", "memfd_create", "ftruncate",
            // threads, time, randomness (the event writer's retry jitter), signals it handles itself
            "futex", "set_robust_list", "rseq", "sched_yield", "sched_getaffinity", "nanosleep", "clock_nanosleep",
            "clock_gettime", "gettimeofday", "getrandom", "gettid", "getpid", "getppid",
            "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "restart_syscall", "exit", "exit_group",
        ]
        var rules = allowed.map { Rule($0, .allow) }
        // A thread, never a process: clone only with CLONE_THREAD; clone3 fails with ENOSYS so
        // glibc falls back to clone, whose flags can be checked.
        let cloneThread: UInt64 = 0x0001_0000
        rules.append(Rule("clone", .allow, when: [.maskedEqual(argument: 0, mask: cloneThread, value: cloneThread)]))
        rules.append(Rule("clone3", .fail(.noFunction)))
        // Only the inherited listeners accept (and have their backlog set).
        for fd in listeners {
            let it = SeccompFilter.Condition.equal(argument: 0, value: UInt64(UInt32(bitPattern: fd)))
            rules.append(Rule("accept4", .allow, when: [it]))
            rules.append(Rule("listen", .allow, when: [it]))
        }
        // New sockets: TCP over IPv4 or IPv6 only (the event writer). The type may carry
        // SOCK_NONBLOCK | SOCK_CLOEXEC, so only its low bits are compared. A Unix socket fails
        // with EACCES instead of killing: Dispatch tries syslog (/dev/log) when it cannot raise a
        // thread's priority, and gives up quietly.
        for family in [AF_INET, AF_INET6] {
            rules.append(Rule("socket", .allow, when: [
                .equal(argument: 0, value: UInt64(family)),
                .maskedEqual(argument: 1, mask: 0xF, value: UInt64(SOCK_STREAM.rawValue)),
            ]))
        }
        rules.append(Rule("socket", .fail(.permissionDenied), when: [.equal(argument: 0, value: UInt64(AF_UNIX))]))
        // Calls that fail harmlessly: Dispatch raising a thread's priority (EACCES without
        // privileges anyway), glibc looking for /etc/localtime for log timestamps (ENOENT, as in
        // the empty chroot).
        rules.append(Rule("setpriority", .fail(.permissionDenied)))
        rules.append(Rule("openat", .fail(.noSuchFileOrDirectory)))
        rules.append(Rule("open", .fail(.noSuchFileOrDirectory)))
        // isatty(stdout) by the log handler.
        rules.append(Rule("ioctl", .allow, when: [.equal(argument: 1, value: 0x5401 /* TCGETS */)]))
        // prctl: thread names (Dispatch, NIO), the parent-death signal (the sandbox's last step)
        // and reading the dumpable flag (its final check).
        for option in [1 /* PR_SET_PDEATHSIG */, 3 /* PR_GET_DUMPABLE */, 15 /* PR_SET_NAME */, 16 /* PR_GET_NAME */] {
            rules.append(Rule("prctl", .allow, when: [.equal(argument: 0, value: UInt64(option))]))
        }
        // Signals to itself only (abort, the runtime's own thread signals).
        let me = UInt64(UInt32(bitPattern: selfPID))
        for call in ["kill", "tgkill"] { rules.append(Rule(call, .allow, when: [.equal(argument: 0, value: me)])) }
        // Everything else — open for writing or reading, exec, fork, bind, ptrace, setuid,
        // chroot, mount, … — kills the process.
        return SeccompFilter(defaultAction: .killProcess, rules: rules)
    }
}
