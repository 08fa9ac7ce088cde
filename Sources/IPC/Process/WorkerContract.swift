import ShadowCore

/// The sandboxed children of the master: the two DHCP workers and the operations process
/// (`shadow-ops`: management, metrics, events). All three are spawned, confined, audited,
/// distrusted and restarted the same way.
public enum WorkerKind: String, Sendable, CaseIterable, CustomStringConvertible {
    case v4
    case v6
    case ops

    /// The executable, a sibling of `shadow-master`.
    public var executableName: String { "shadow-\(rawValue)" }

    /// Messages the child sends.
    public var toMaster: Direction {
        switch self {
        case .v4: .v4ToMaster
        case .v6: .v6ToMaster
        case .ops: .opsToMaster
        }
    }
    /// Messages the child receives.
    public var fromMaster: Direction {
        switch self {
        case .v4: .masterToV4
        case .v6: .masterToV6
        case .ops: .masterToOps
        }
    }

    /// How log lines name it: `v4 worker`, `v6 worker`, `ops process`.
    public var processName: String { self == .ops ? "ops process" : "\(rawValue) worker" }

    public var description: String { rawValue }
}

/// The descriptor numbers a worker inherits (docs/privileges.md).
public enum WorkerDescriptors {
    /// The bound UDP socket (port 67 or 547).
    public static let udp: Int32 = 3
    /// The worker's end of the SOCK_SEQPACKET socketpair to the master.
    public static let ipc: Int32 = 4
    /// With `leasequery.bulk`: the listening TCP socket at the same address and port as the UDP
    /// one, non-blocking (docs/leasequery.md); not open otherwise.
    public static let bulkListener: Int32 = 5
}

/// A worker's command line: `--generation N --user NAME --root DIR [--log-format text|json]`.
public struct WorkerArguments: Sendable, Equatable {
    public var generation: UInt64
    public var user: String
    public var rootDirectory: String
    /// The format of its log lines: the master's, resolved once (`logging.format`). Absent: JSON.
    public var logFormat: LogFormat

    public init(generation: UInt64, user: String, rootDirectory: String, logFormat: LogFormat = .json) {
        self.generation = generation
        self.user = user
        self.rootDirectory = rootDirectory
        self.logFormat = logFormat
    }

    /// argv for `kind`, argv[0] included.
    public func argv(for kind: WorkerKind) -> [String] {
        [kind.executableName, "--generation", String(generation), "--user", user, "--root", rootDirectory,
         "--log-format", logFormat.rawValue]
    }

    /// Parses argv (argv[0] included); nil on anything unexpected.
    public init?(_ argv: [String]) {
        var generation: UInt64?, user: String?, root: String?
        var format: LogFormat? = .json
        var i = 1
        while i + 1 < argv.count {
            switch argv[i] {
            case "--generation": generation = UInt64(argv[i + 1])
            case "--user": user = argv[i + 1]
            case "--root": root = argv[i + 1]
            case "--log-format": format = LogFormat(rawValue: argv[i + 1])
            default: return nil
            }
            i += 2
        }
        guard i == argv.count, let generation, let user, let root, let format else { return nil }
        self.init(generation: generation, user: user, rootDirectory: root, logFormat: format)
    }
}
