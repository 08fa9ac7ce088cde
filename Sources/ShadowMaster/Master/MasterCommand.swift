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
        let loaded: LoadedConfiguration
        do {
            loaded = try ConfigDirectory.load(configDirectory)
        } catch {
            return fail("Unable to load configuration from \(configDirectory):\n" +
                        error.lines.map { "  \($0)" }.joined(separator: "\n"))
        }
        let config = loaded.config
        let output = LogOutput(stdout: config.logging.stdout || config.logging.file == nil,
                               filePath: config.logging.file?.path, maxFiles: config.logging.file?.maxFiles ?? 3)
        ShadowLogHandler.bootstrap(process: "master", level: config.logging.level, output: output)
        let logger = Logger(label: "shadowdhcp.master")
        for w in loaded.warnings { logger.warning("\(w)") }
        logger.info("Loaded \(loaded.reservations.count) reservations")

        guard let settings = prepare(loaded, rootDirectory: rootDirectory, logger: logger) else { return 1 }
        guard let sockets = bind(config, logger: logger) else { return 1 }
        do {
            // With `mgmt_auth.unix_group` the management socket is chowned to root:group after bind.
            let keep = masterCapabilities + (config.mgmtAuth.unixGroup != nil ? [.chown] : [])
            try Capabilities.restrict(keep: keep, bounding: workerBoundingSet)
        } catch {
            logger.critical("cannot drop the master's capabilities: \(error)")
            return 1
        }
        let mailbox: MasterMailbox
        do { mailbox = try MasterMailbox() } catch { return fail("cannot create the master's mailbox: \(error)") }
        let master = Master(settings: settings, reservations: loaded.reservations, signals: signals,
                            sockets: sockets, mailbox: mailbox, logger: logger)
        let operations = Operations()
        do {
            let backend = MasterBackend(mailbox: mailbox,
                                        reservationsPath: ConfigDirectory.path(configDirectory, "reservations.json"))
            try operations.start(config: config, tokens: loaded.tokens, backend: backend, logger: logger)
        } catch {
            logger.critical("\(error)")
            operations.stop()
            return 1
        }
        master.eventWriter = operations.events
        let status = master.run()
        operations.stop()
        return status
    }

    /// Resolves the worker account, the executables and the chroot directory.
    static func prepare(_ loaded: LoadedConfiguration, rootDirectory: String, logger: Logger) -> Master.Settings? {
        let account: Sandbox.Account
        do {
            account = try Sandbox.lookUp(loaded.config.user)
        } catch {
            logger.critical("\(ConfigCheck.accountProblem(loaded.config.user) ?? "config.json: user: \(error)")")
            return nil
        }
        guard let executables = FileSystem.executableDirectory() else {
            logger.critical("cannot find the directory of shadow-master (/proc/self/exe)")
            return nil
        }
        for kind in WorkerKind.allCases where !FileSystem.exists(ConfigDirectory.path(executables, kind.executableName)) {
            logger.critical("\(kind.executableName) not found next to shadow-master in \(executables)")
            return nil
        }
        do {
            try FileSystem.makeDirectories(rootDirectory, mode: 0o755)
        } catch {
            logger.critical("cannot create the workers' empty root directory \(rootDirectory): \(error)")
            return nil
        }
        return Master.Settings(
            directory: loaded.directory, ids: loaded.ids, config: loaded.config,
            workerConfiguration: WorkerConfiguration(idsJSON: loaded.idsBytes, configJSON: loaded.configBytes),
            executableDirectory: executables, rootDirectory: rootDirectory, account: account)
    }

    /// Binds the DHCPv4 and DHCPv6 sockets; on failure says why and how to fix it.
    static func bind(_ config: ServerConfig, logger: Logger) -> [(WorkerKind, FileDescriptor)]? {
        var out: [(WorkerKind, FileDescriptor)] = []
        for (kind, address) in [(WorkerKind.v4, config.v4BindAddress), (.v6, config.v6BindAddress)] {
            do {
                out.append((kind, try UDPSocket.bind(address)))
                logger.info("Bound DHCP\(kind) to \(address)")
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

    private static func fail(_ message: String) -> Int32 {
        StandardError.write(message + "\n")
        return 1
    }
}
