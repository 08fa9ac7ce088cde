import IPC
import Logging
import ShadowCore
import ShadowLogging
import ShadowSystem
import SystemPackage

/// The `main` of `shadow-v4` and `shadow-v6`.
public enum WorkerProcess {
    /// Checks the inherited descriptors, drops every privilege, reports ready and serves until the
    /// master says shutdown. Returns the exit status.
    ///
    /// Exit statuses: 0 shutdown, 1 runtime failure, 2 not started by shadow-master, 3 the
    /// privilege drop failed.
    public static func run(kind: WorkerKind, argv: [String] = CommandLine.arguments) -> Int32 {
        // stdout is the master's (a log pipe, the journal): if its reader goes away, a log line
        // must fail with EPIPE, not kill the worker (spawned children start with SIGPIPE default).
        SignalDisposition.ignoreBrokenPipe()
        guard kind != .ops, let args = WorkerArguments(argv), inheritedDescriptorsLookRight(kind) else {
            complain("\(kind.executableName) is a worker process: it must be started by shadow-master.")
            return 2
        }
        // The master decides when a worker stops: a terminal's Ctrl-C or hang-up reaches the whole
        // process group.
        SignalDisposition.ignore([Signal.interrupt, Signal.hangUp])
        // The packet loop waits in recvmmsg itself; the timeout bounds how long the channel to the
        // master can go unread when no datagram comes (WorkerLoop.receiveTimeoutMilliseconds).
        do {
            try UDPSocket.setReceiveTimeout(FileDescriptor(rawValue: WorkerDescriptors.udp),
                                            milliseconds: WorkerLoopTiming.receiveTimeoutMilliseconds)
        } catch {
            complain("\(kind.executableName): cannot set the UDP receive timeout: \(error)")
            return 2
        }
        // Adopted before the drop: adopting may raise the socket's SO_SNDBUF, and the worker's
        // filter allows no setsockopt or getsockopt.
        let channel: SeqPacketChannel
        do { channel = try SeqPacketChannel(adopting: FileDescriptor(rawValue: WorkerDescriptors.ipc)) } catch {
            complain("\(kind.executableName): cannot use the IPC socket: \(error)")
            return 2
        }
        // The bulk leasequery listener, when the master handed one over (`leasequery.bulk`).
        let bulkFD = FileDescriptor(rawValue: WorkerDescriptors.bulkListener)
        let bulkListener: FileDescriptor? = SocketKind.of(bulkFD) == nil ? nil : bulkFD
        if bulkListener != nil, !StreamConnection.isTCPListener(bulkFD, ipv6: kind == .v6) {
            complain("\(kind.executableName): fd \(WorkerDescriptors.bulkListener) is not a listening TCP socket")
            return 2
        }
        let status: ProcessStatus
        do {
            // A call the allow list refuses is named on stderr before the worker dies by SIGSYS.
            try SeccompReporter.install(process: kind.executableName)
            status = try Sandbox.enter(SandboxPlan(user: args.user, rootDirectory: args.rootDirectory,
                                                   limits: bulkListener == nil ? .worker : .workerWithBulkLeasequery))
        } catch {
            complain("\(kind.executableName): privilege drop failed, refusing to serve: \(error)")
            return 3
        }
        // Only now, without privileges, may anything start a thread.
        ShadowLogHandler.bootstrap(process: kind.rawValue, level: .info, output: LogOutput(stdoutFormat: args.logFormat))
        var logger = Logger(label: "shadowdhcp.\(kind)")
        logger[metadataKey: "worker.generation"] = "\(args.generation)"
        do {
            let ready = ReadyMessage(pid: UInt32(CurrentProcess.id), uid: status.uids[0], gid: status.gids[0],
                                     workerGeneration: args.generation)
            try channel.send(IPCCodec.encode(.ready(ready), generation: args.generation, direction: kind.toMaster))
            let udp = FileDescriptor(rawValue: WorkerDescriptors.udp)
            switch kind {
            case .v4:
                return try WorkerLoop<V4PacketHandler>(kind: kind, generation: args.generation, channel: channel,
                                                   udp: udp, bulkListener: bulkListener, logger: logger).run()
            case .v6:
                return try WorkerLoop<V6PacketHandler>(kind: kind, generation: args.generation, channel: channel,
                                                   udp: udp, bulkListener: bulkListener, logger: logger).run()
            case .ops:
                return 2  // refused above: shadow-ops has its own main (ShadowOps)
            }
        } catch {
            logger.error("\(kind) worker cannot start: \(error)")
            return 1
        }
    }

    /// fd 3 must be a UDP socket of the worker's family, fd 4 a Unix SOCK_SEQPACKET socket.
    static func inheritedDescriptorsLookRight(_ kind: WorkerKind) -> Bool {
        SocketKind.isUDP(FileDescriptor(rawValue: WorkerDescriptors.udp), ipv6: kind == .v6)
            && SocketKind.isUnixSeqPacket(FileDescriptor(rawValue: WorkerDescriptors.ipc))
    }

    /// Runs the worker (``run(kind:argv:)``) and exits with its status: the whole `main` of
    /// `shadow-v4` and `shadow-v6`.
    public static func main(kind: WorkerKind) -> Never {
        CurrentProcess.exit(run(kind: kind))
    }

    private static func complain(_ message: String) {
        StandardError.write(message + "\n")
    }
}
