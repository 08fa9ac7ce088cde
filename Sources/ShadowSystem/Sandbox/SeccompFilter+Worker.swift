import Glibc

extension SeccompFilter {
    /// A DHCP worker's filter: **refuse by default** (SECCOMP_RET_TRAP: the call does not run,
    /// the ``SeccompReporter`` names it on stderr and the process dies by SIGSYS), allow only
    /// what a worker was seen to call after its drop.
    ///
    /// Derived by running `shadow-v4`/`shadow-v6` under `strace -f` through the integration
    /// suite (DHCPv4, DHCPv6, relays, reload, replace and changes, bindings, HA, last served,
    /// events, counters, several workers, restarts, shutdown) and a `shadow-bench load` run, and
    /// keeping the calls made after `seccomp(SECCOMP_SET_MODE_FILTER)`; docs/privileges.md lists
    /// them with reasons. Arguments are checked where that is cheap: no executable memory, threads
    /// but no processes, signals and resource limits of itself only, two `prctl` options, one
    /// `ioctl`, two `fcntl` commands, `accept4` with SOCK_NONBLOCK | SOCK_CLOEXEC only. `socket`, `setsockopt`, `shutdown`, `prlimit64` on another
    /// process, SysV and POSIX IPC, `ioctl(TIOCSTI)` — everything not listed — are refused.
    public static func worker(selfPID: Int32 = CurrentProcess.id) -> SeccompFilter {
        let allowed: [String] = [
            // I/O on descriptors it holds: the UDP socket (recvmmsg/sendmmsg), the IPC socket
            // (recvmsg/sendmsg with SCM_RIGHTS), its self-pipe (read/write), stdout and stderr
            // (write), a received memfd (fstat, close); the final check of the drop re-reads
            // /proc/self/status through the descriptor opened before it (pread64).
            "read", "write", "close", "pread64", "newfstatat", "recvmsg", "sendmsg", "recvmmsg", "sendmmsg",
            // waiting: the packet loop and the channel
            "poll",
            // the loop's self-pipe, and the memfd of a binding table or last-served answer it sends
            "pipe2", "memfd_create", "ftruncate",
            // memory: the allocator, thread stacks, mapping a snapshot (PROT_EXEC refused below)
            "munmap", "madvise", "mremap", "brk",
            // threads (the snapshot builder), their locks, their end
            "futex", "set_robust_list", "rseq", "gettid", "exit", "exit_group",
            // signals: glibc's thread start and the SIGSYS reporter (its handler's return)
            "rt_sigprocmask", "rt_sigaction", "rt_sigreturn", "restart_syscall",
            // who it is (the reporter's re-raise, the parent-death check); time when the vDSO cannot
            "getpid", "getppid", "clock_gettime", "clock_nanosleep", "nanosleep",
        ]
        var rules = allowed.map { Rule($0, .allow) }
        // No executable memory: mmap and mprotect only without PROT_EXEC.
        let exec = UInt64(PROT_EXEC)
        for call in ["mmap", "mprotect"] {
            rules.append(Rule(call, .allow, when: [.maskedEqual(argument: 2, mask: exec, value: 0)]))
        }
        // A thread, never a process: clone only with CLONE_THREAD. clone3 passes its flags in
        // memory seccomp cannot read, so it fails with ENOSYS and glibc falls back to clone.
        let cloneThread: UInt64 = 0x0001_0000
        rules.append(Rule("clone", .allow, when: [.maskedEqual(argument: 0, mask: cloneThread, value: cloneThread)]))
        rules.append(Rule("clone3", .fail(.noFunction)))
        // Signals to itself only (the reporter's re-raise, abort).
        let me = UInt64(UInt32(bitPattern: selfPID))
        for call in ["kill", "tgkill"] { rules.append(Rule(call, .allow, when: [.equal(argument: 0, value: me)])) }
        // Its own limits, read only (getrlimit after the drop, to verify them): pid 0, no new value.
        rules.append(Rule("prlimit64", .allow, when: [.equal(argument: 0, value: 0), .equal(argument: 2, value: 0)]))
        // prctl: the parent-death signal (the drop's last step) and reading the dumpable flag.
        for option in [1 /* PR_SET_PDEATHSIG */, 3 /* PR_GET_DUMPABLE */] {
            rules.append(Rule("prctl", .allow, when: [.equal(argument: 0, value: UInt64(option))]))
        }
        // isatty(stdout) by the log handler; no other ioctl (TIOCSTI on an inherited terminal).
        rules.append(Rule("ioctl", .allow, when: [.equal(argument: 1, value: 0x5401 /* TCGETS */)]))
        // The seals of a memfd: checking a received snapshot's, sealing one it sends.
        for command in [1033 /* F_ADD_SEALS */, 1034 /* F_GET_SEALS */] {
            rules.append(Rule("fcntl", .allow, when: [.equal(argument: 1, value: UInt64(command))]))
        }
        // Bulk leasequery (docs/leasequery.md): accepting on the TCP listener the master bound,
        // only non-blocking and close-on-exec (StreamConnection.accept); connections are then read
        // and written with recvmsg/sendmsg and closed with close, all allowed above.
        let acceptFlags = UInt64(SOCK_NONBLOCK.rawValue) | UInt64(SOCK_CLOEXEC.rawValue)
        rules.append(Rule("accept4", .allow, when: [.equal(argument: 3, value: acceptFlags)]))
        // glibc looks for /etc/localtime when the log handler first formats a time: ENOENT, the
        // answer the empty chroot gives anyway.
        for call in ["openat", "open"] { rules.append(Rule(call, .fail(.noSuchFileOrDirectory))) }
        return SeccompFilter(defaultAction: .trap, rules: rules)
    }
}
