import ShadowCore

/// What the operations process (`shadow-ops`) listens on. The master binds each listener and
/// passes it at a descriptor number named on the command line; new kinds (the HTTP API, the
/// high-availability peer channel) are added here and nowhere else in the contract.
public enum ListenerRole: String, Sendable, CaseIterable, CustomStringConvertible {
    /// `mgmt_address`: the management line protocol over TCP (loopback only unless `mgmt_tls`).
    case managementTCP = "mgmt-tcp"
    /// `mgmt_http_address`: the management HTTP JSON API (`POST /v1/command`).
    case managementHTTP = "mgmt-http"
    /// `mgmt_socket`: the management line protocol over a Unix stream socket.
    case managementUnix = "mgmt-unix"
    /// `metrics_address`: HTTP `GET /metrics`.
    case metrics = "metrics"
    /// `ha.listen`: the high-availability peers' connections (docs/high-availability.md).
    case haPeers = "ha-peers"

    public var description: String { rawValue }
}

/// The descriptor numbers the operations process inherits (docs/privileges.md).
public enum OpsDescriptors {
    /// Its end of the SOCK_SEQPACKET socketpair to the master.
    public static let ipc: Int32 = 3
    /// The first listening socket; the others follow without gaps, in the order of the
    /// `--listener` arguments.
    public static let firstListener: Int32 = 4
}

/// The operations process's command line:
/// `--generation N --user NAME --root DIR [--listener ROLE=FD]… [--trust-roots system] [--log-format text|json]`.
public struct OpsArguments: Sendable, Equatable {
    /// One inherited listening socket.
    public struct Listener: Sendable, Equatable {
        public var role: ListenerRole
        public var descriptor: Int32

        public init(role: ListenerRole, descriptor: Int32) {
            self.role = role
            self.descriptor = descriptor
        }
    }

    public var generation: UInt64
    public var user: String
    public var rootDirectory: String
    public var listeners: [Listener]
    /// Load the system's TLS trust roots before the sandbox (`--trust-roots system`): the
    /// ClickHouse writer has an https URL, and after the sandbox no file can be opened.
    public var systemTrustRoots: Bool
    /// The format of its log lines: the master's, resolved once (`logging.format`). Absent: JSON.
    public var logFormat: LogFormat

    public init(generation: UInt64, user: String, rootDirectory: String, listeners: [Listener],
                systemTrustRoots: Bool = false, logFormat: LogFormat = .json) {
        self.logFormat = logFormat
        self.generation = generation
        self.user = user
        self.rootDirectory = rootDirectory
        self.listeners = listeners
        self.systemTrustRoots = systemTrustRoots
    }

    /// argv, argv[0] included.
    public var argv: [String] {
        [WorkerKind.ops.executableName, "--generation", String(generation), "--user", user, "--root", rootDirectory]
            + listeners.flatMap { ["--listener", "\($0.role)=\($0.descriptor)"] }
            + (systemTrustRoots ? ["--trust-roots", "system"] : [])
            + ["--log-format", logFormat.rawValue]
    }

    /// Parses argv (argv[0] included); nil on anything unexpected: an unknown option or role, a
    /// role given twice, a descriptor below ``OpsDescriptors/firstListener`` or used twice.
    public init?(_ argv: [String]) {
        var generation: UInt64?, user: String?, root: String?
        var listeners: [Listener] = []
        var trustRoots = false
        var format: LogFormat? = .json
        var i = 1
        while i + 1 < argv.count {
            let value = argv[i + 1]
            switch argv[i] {
            case "--generation": generation = UInt64(value)
            case "--user": user = value
            case "--root": root = value
            case "--log-format": format = LogFormat(rawValue: value)
            case "--trust-roots":
                guard value == "system", !trustRoots else { return nil }
                trustRoots = true
            case "--listener":
                let parts = value.split(separator: "=", omittingEmptySubsequences: false)
                guard parts.count == 2, let role = ListenerRole(rawValue: String(parts[0])),
                      let fd = Int32(parts[1]), fd >= OpsDescriptors.firstListener,
                      !listeners.contains(where: { $0.role == role || $0.descriptor == fd }) else { return nil }
                listeners.append(Listener(role: role, descriptor: fd))
            default: return nil
            }
            i += 2
        }
        guard i == argv.count, let generation, let user, let root, let format else { return nil }
        self.init(generation: generation, user: user, rootDirectory: root, listeners: listeners,
                  systemTrustRoots: trustRoots, logFormat: format)
    }

    /// The descriptor of `role`, if the master passed one.
    public func descriptor(for role: ListenerRole) -> Int32? {
        listeners.first { $0.role == role }?.descriptor
    }
}
