import IPC
import Logging
import ShadowCore
import ShadowLogging
import ShadowSystem
import SystemPackage

/// `shadow-master` without an informational flag: load, bind, start the workers, supervise.
public enum MasterCommand {
    /// Where workers are chrooted: an empty directory owned by root.
    public static let defaultRootDirectory = "/run/shadowdhcp/empty"

    /// What the master keeps after binding (docs/privileges.md): CAP_KILL to stop workers that run
    /// under another uid, CAP_DAC_OVERRIDE to read and replace `reservations.json` and write the
    /// state directory when an operator made them owned by a service account.
    public static let masterCapabilities: [Capabilities.Number] = [.kill, .dacOverride]

    /// What a worker (started as root) can obtain at exec, and needs for its own privilege drop
    /// only: chroot, switching uid/gid, emptying its bounding set.
    public static let workerBoundingSet: [Capabilities.Number] = [.sysChroot, .setuid, .setgid, .setpcap]

    /// Runs the server until SIGTERM/SIGINT. Returns the exit status (1 for any start-up failure).
    public static func run(configDirectory: String, rootDirectory: String = defaultRootDirectory) -> Int32 {
        // A log reader that went away must not kill the server: writes then fail with EPIPE.
        SignalDisposition.ignoreBrokenPipe()
        // Before anything can start a thread: these signals arrive only through the descriptor.
        let signals: SignalDescriptor
        do {
            signals = try SignalDescriptor([Signal.hangUp, Signal.terminate, Signal.interrupt, Signal.child])
        } catch {
            return fail("cannot set up signal handling: \(error)")
        }
        var loaded: LoadedConfiguration
        do {
            loaded = try ConfigDirectory.load(configDirectory)
        } catch {
            return fail("Unable to load configuration from \(configDirectory):\n" +
                        error.lines.map { "  \($0)" }.joined(separator: "\n"))
        }
        let config = loaded.config
        let logFormat = LogOutput.resolvedFormat(config.logging.format)
        let output = LogOutput(stdout: config.logging.stdout || config.logging.file == nil, format: logFormat,
                               filePath: config.logging.file?.path, maxFiles: config.logging.file?.maxFiles ?? 3)
        ShadowLogHandler.bootstrap(process: "master", level: config.logging.level, output: output)
        let logger = Logger(label: "shadowdhcp.master")
        for w in loaded.warnings { logger.warning("\(w)") }
        logger.info("Loaded \(loaded.reservations.count) reservations")

        if config.mgmtTCPInsecureWrites && loaded.tokens == nil { logger.warning("\(ConfigCheck.insecureWritesWarning)") }
        guard var settings = prepare(loaded, rootDirectory: rootDirectory, logger: logger) else { return 1 }
        settings.logFormat = logFormat
        if let name = config.mgmtAuth.unixGroup {
            do {
                settings.opsAccess.group = try GroupDirectory.resolve(name)
            } catch {
                logger.critical("config.json: mgmt_auth.unix_group: \(error)")
                return 1
            }
        }
        if let file = config.mgmtAuth.tokensFile, let bytes = loaded.tokensBytes {
            settings.opsAccess.tokensFile = file
            settings.opsAccess.tokensJSON = bytes
        }
        settings.haKey = loaded.haKey
        if let tls = loaded.tls {
            settings.opsAccess.tls = OpsTLSMaterial(certificatePEM: tls.certificatePEM, keyPEM: tls.keyPEM,
                                                    clientCAPEM: tls.clientCAPEM)
        }
        guard let sockets = bind(config, logger: logger) else { return 1 }
        guard let bulkListeners = bindBulkLeasequery(config, logger: logger) else { return 1 }
        guard let operations = bindOperations(config, group: settings.opsAccess.group?.gid, logger: logger) else {
            return 1
        }
        do {
            try Capabilities.restrict(keep: masterCapabilities, bounding: workerBoundingSet)
        } catch {
            logger.critical("cannot drop the master's capabilities: \(error)")
            return 1
        }
        let master = Master(settings: settings, reservations: loaded.reservations,
                            reservationsBytes: loaded.reservationsBytes, signals: signals,
                            sockets: sockets, bulkListeners: bulkListeners,
                            opsListeners: operations.needed ? operations.listeners : nil, logger: logger)
        // The master owns them now; this copy would keep them (and their memory) for good.
        loaded.reservations = []
        loaded.reservationsBytes = nil
        return master.run()
    }

    /// Resolves the sandboxed processes' accounts, the executables and the chroot directory.
    static func prepare(_ loaded: LoadedConfiguration, rootDirectory: String, logger: Logger) -> Master.Settings? {
        let accounts: ProcessAccounts
        switch ProcessAccounts.resolve(loaded.config.user) {
        case .success(let a): accounts = a
        case .failure(let f):
            for line in f.lines { logger.critical("\(line)") }
            return nil
        }
        if let warning = accounts.warning { logger.warning("\(warning)") }
        guard let masterDirectory = FileSystem.executableDirectory() else {
            logger.critical("cannot find the directory of shadow-master (/proc/self/exe)")
            return nil
        }
        let helpers = WorkerKind.allCases.map(\.executableName)
        guard let executables = HelperDirectory.find(masterDirectory: masterDirectory, helpers: helpers,
                                                     exists: FileSystem.exists) else {
            let places = HelperDirectory.candidates(masterDirectory: masterDirectory).joined(separator: " or ")
            logger.critical("\(helpers.joined(separator: ", ")) not all found in \(places)")
            return nil
        }
        do {
            try FileSystem.makeDirectories(rootDirectory, mode: 0o755)
        } catch {
            logger.critical("cannot create the workers' empty root directory \(rootDirectory): \(error)")
            return nil
        }
        if let problem = FileSystem.untrustedDirectoryProblem(rootDirectory) {
            logger.critical("refusing the workers' empty root directory \(rootDirectory): \(problem)")
            return nil
        }
        return Master.Settings(
            directory: loaded.directory, ids: loaded.ids, config: loaded.config,
            workerConfiguration: WorkerConfiguration(idsJSON: loaded.idsBytes, configJSON: loaded.configBytes),
            executableDirectory: executables, rootDirectory: rootDirectory, accounts: accounts)
    }

    /// Binds the DHCPv4 and DHCPv6 sockets; on failure says why and how to fix it.
    static func bind(_ config: ServerConfig, logger: Logger) -> [(WorkerKind, FileDescriptor)]? {
        var out: [(WorkerKind, FileDescriptor)] = []
        for (kind, address) in [(WorkerKind.v4, config.v4BindAddress), (.v6, config.v6BindAddress)] {
            do {
                out.append((kind, try UDPSocket.bind(address)))
                logger.info("\(ListenerLine.text("DHCP\(kind)", on: "\(address)", "udp"))")
            } catch {
                let hint: String
                switch error {
                case .permissionDenied: hint = "run shadow-master as root"
                case .addressInUse: hint = "another process uses it; check with `ss -ulpn`"
                case .addressNotAvailable: hint = "the address is not on this host; check `ip addr`"
                default: hint = ""
                }
                logger.critical("Failed to bind DHCP\(kind) socket to \(address): \(error)\(hint.isEmpty ? "" : " (\(hint))")")
                for (_, fd) in out { try? fd.close() }
                return nil
            }
        }
        return out
    }

    /// The protocols whose workers answer bulk leasequery over TCP (docs/leasequery.md).
    static let bulkLeasequeryKinds: [WorkerKind] = [.v4, .v6]

    /// With `leasequery.bulk`: a TCP listener at the same address and port as each answering
    /// protocol's UDP socket, non-blocking, handed to its worker as fd 5 (the master never
    /// accepts on it). Empty without bulk; nil when a bind failed (said why).
    static func bindBulkLeasequery(_ config: ServerConfig, logger: Logger) -> [WorkerKind: FileDescriptor]? {
        guard let settings = config.leasequery, settings.bulk else { return [:] }
        var out: [WorkerKind: FileDescriptor] = [:]
        for kind in bulkLeasequeryKinds {
            let address = kind == .v4 ? config.v4BindAddress : config.v6BindAddress
            do {
                let fd = try StreamListener.bindTCP(address, backlog: CInt(clamping: max(64, settings.bulkMaxConnections)))
                out[kind] = fd
                try fd.setNonBlocking(true)
                logger.info("\(ListenerLine.text("Bulk leasequery DHCP\(kind)", on: "\(address)", "tcp"))")
            } catch {
                logger.critical("Failed to bind the DHCP\(kind) bulk leasequery listener to \(address) (tcp): \(error)")
                for (_, fd) in out { try? fd.close() }
                return nil
            }
        }
        return out
    }

    /// Binds what the operations process serves — management over TCP (loopback only) and a Unix
    /// socket, `/metrics` — before the capabilities are dropped. `needed` is false when none of
    /// them nor events are configured (then no operations process runs). nil when a bind failed
    /// (said why; the caller exits 1).
    static func bindOperations(_ config: ServerConfig, group: UInt32?, logger: Logger)
        -> (needed: Bool, listeners: [(ListenerRole, FileDescriptor)])? {
        var out: [(ListenerRole, FileDescriptor)] = []
        func failed(_ what: String, _ error: some Error) -> (needed: Bool, listeners: [(ListenerRole, FileDescriptor)])? {
            logger.critical("Failed to bind \(what): \(error)")
            for (_, fd) in out { try? fd.close() }
            return nil
        }
        // Room for a burst of as many connections as ops allows open (capped by somaxconn).
        let backlog = CInt(clamping: max(64, config.mgmtMaxConnections))
        let tls = config.mgmtTLS != nil
        for (role, address, what, transport) in [
            (ListenerRole.managementTCP, config.mgmtAddress, "management", tls ? "tls" : "tcp"),
            (.managementHTTP, config.mgmtHTTPAddress, "the management HTTP API", tls ? "https" : "http"),
        ] {
            guard let address else { continue }
            guard address.isLoopback || config.mgmtTLS != nil else {
                logger.critical("""
                    Failed to bind \(what) to \(address): a non-loopback address needs mgmt_tls \
                    (127.0.0.0/8 or [::1] otherwise)
                    """)
                for (_, fd) in out { try? fd.close() }
                return nil
            }
            do {
                let fd = try StreamListener.bindTCP(address, backlog: backlog)
                out.append((role, fd))
                let bound = (try? UDPSocket.localAddress(of: fd)) ?? address
                logger.info("\(ListenerLine.text("Management", on: "\(bound)", transport))")
            } catch { return failed("\(what) to \(address)", error) }
        }
        if let path = config.mgmtSocket {
            do {
                out.append((.managementUnix, try StreamListener.bindUnix(path, group: group, backlog: backlog)))
                logger.info("\(ListenerLine.text("Management", on: path, "unix"))")
            } catch { return failed("management to \(path)", error) }
        }
        if let address = config.metricsAddress {
            do {
                let fd = try StreamListener.bindTCP(address)
                out.append((.metrics, fd))
                let bound = (try? UDPSocket.localAddress(of: fd)) ?? address
                logger.info("\(ListenerLine.text("Metrics", on: "\(bound)", "http"))")
            } catch { return failed("metrics to \(address)", error) }
        }
        if let ha = config.ha {
            // Peers authenticate every frame with the shared key: any address may be used.
            do {
                let fd = try StreamListener.bindTCP(ha.listen)
                out.append((.haPeers, fd))
                let bound = (try? UDPSocket.localAddress(of: fd)) ?? ha.listen
                logger.info("\(ListenerLine.text("HA peer channel", on: "\(bound)", "tcp"))", metadata: [
                    "ha.peers": "\(ha.peers.map(\.name).joined(separator: ","))",
                ])
            } catch { return failed("the HA peer channel to \(ha.listen)", error) }
        }
        return (!out.isEmpty || config.events.tcp != nil, out)
    }

    private static func fail(_ message: String) -> Int32 {
        StandardError.write(message + "\n")
        return 1
    }
}
