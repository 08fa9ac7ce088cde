import CShim
import Glibc
import SystemPackage

/// Places a parent descriptor at a fixed number in the child.
public struct DescriptorMapping: Sendable, Hashable {
    /// The descriptor in the parent (its CLOEXEC flag does not matter).
    public var source: FileDescriptor
    /// The number it gets in the child (0, 1 and 2 included).
    public var target: CInt

    public init(_ source: FileDescriptor, as target: CInt) {
        precondition(target >= 0)
        self.source = source
        self.target = target
    }
}

/// Everything a child is started with. Nothing is inherited implicitly except descriptors 0–2
/// when they are not mapped: the environment is exactly ``environment``, every signal
/// disposition is reset to default and the signal mask is empty.
public struct SpawnConfiguration: Sendable {
    /// Absolute path of the executable (no PATH search).
    public var executable: String
    /// argv, including argv[0].
    public var arguments: [String]
    /// `NAME=value` strings; empty means an empty environment.
    public var environment: [String]
    /// Descriptors to place at fixed numbers. Every other descriptor above 2 is closed.
    public var descriptors: [DescriptorMapping]
    /// Start the child in a session of its own (setsid): it has no controlling terminal, and
    /// signals for the parent's process group or session (a terminal's ^C, SIGHUP at logout)
    /// do not reach it.
    public var newSession: Bool
    /// Open `/dev/null` read-only as the child's descriptor 0 (unless ``descriptors`` maps 0).
    public var standardInputFromNull: Bool

    public init(executable: String, arguments: [String]? = nil, environment: [String] = [],
                descriptors: [DescriptorMapping] = [], newSession: Bool = false, standardInputFromNull: Bool = false) {
        self.executable = executable
        self.arguments = arguments ?? [executable]
        self.environment = environment
        self.descriptors = descriptors
        self.newSession = newSession
        self.standardInputFromNull = standardInputFromNull
    }
}

/// Starts children with posix_spawn(3): never fork-then-Swift.
public enum ProcessSpawner {
    /// Spawns `configuration` and returns the running child.
    ///
    /// The descriptor map is applied without the dup2 ordering pitfall: each source is first
    /// duplicated close-on-exec above every target number, and the child's dup2 actions read only
    /// those copies, so mapping a→3 and b→4 works even when b is 3 in the parent. dup2 clears
    /// FD_CLOEXEC on the targets; every gap between 3 and the highest target is closed, and
    /// closefrom(highest + 1) closes whatever else a careless library left without CLOEXEC.
    ///
    /// Corresponds to posix_spawn(3) with POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF, and
    /// POSIX_SPAWN_SETSID (glibc 2.26+) for ``SpawnConfiguration/newSession``.
    public static func spawn(_ configuration: SpawnConfiguration) throws(Errno) -> ChildProcess {
        let targets = configuration.descriptors.map(\.target)
        precondition(Set(targets).count == targets.count, "two descriptors mapped to the same number")
        let highest = max(2, targets.max() ?? 2)
        var copies: [FileDescriptor] = []
        defer { for copy in copies { try? copy.close() } }
        for mapping in configuration.descriptors {
            copies.append(try mapping.source.duplicateCloseOnExec(atLeast: highest + 1))
        }
        var actions = posix_spawn_file_actions_t()
        try checkReturnedErrno(posix_spawn_file_actions_init(&actions))
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (copy, target) in zip(copies, targets) {
            try checkReturnedErrno(posix_spawn_file_actions_adddup2(&actions, copy.rawValue, target))
        }
        if configuration.standardInputFromNull && !targets.contains(0) {
            try checkReturnedErrno(posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0))
        }
        if highest >= 3 {
            for gap in CInt(3)...highest where !targets.contains(gap) {
                try checkReturnedErrno(posix_spawn_file_actions_addclose(&actions, gap))
            }
        }
        try checkReturnedErrno(cshim_spawn_addclosefrom(&actions, highest + 1))
        return try spawn(configuration, actions: &actions)
    }

    private static func spawn(
        _ configuration: SpawnConfiguration, actions: inout posix_spawn_file_actions_t
    ) throws(Errno) -> ChildProcess {
        var attributes = posix_spawnattr_t()
        try checkReturnedErrno(posix_spawnattr_init(&attributes))
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        try checkReturnedErrno(posix_spawnattr_setsigmask(&attributes, &none))
        try checkReturnedErrno(posix_spawnattr_setsigdefault(&attributes, &all))
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if configuration.newSession { flags |= cshim_spawn_setsid_flag() }
        try checkReturnedErrno(posix_spawnattr_setflags(&attributes, Int16(flags)))
        let argv = configuration.arguments.map { strdup($0) } + [nil]
        let envp = configuration.environment.map { strdup($0) } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        try checkReturnedErrno(posix_spawn(&pid, configuration.executable, &actions, &attributes, argv, envp))
        return ChildProcess(pid: pid)
    }
}
