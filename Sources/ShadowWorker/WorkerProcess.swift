import Glibc
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
        IgnoredSignals.ignoreBrokenPipe()
        guard kind != .ops, let args = WorkerArguments(argv), inheritedDescriptorsLookRight(kind) else {
            complain("\(kind.executableName) is a worker process: it must be started by shadow-master.")
            return 2
        }
        // The master decides when a worker stops: a terminal's Ctrl-C or hang-up reaches the whole
        // process group, and a closed standard output must not kill the packet path.
        SignalDisposition.ignore([SIGINT, SIGHUP, SIGPIPE])
        // The packet loop waits in recvmmsg itself; the timeout bounds how long the channel to the
        // master can go unread when no datagram comes (WorkerLoop.receiveTimeoutMilliseconds).
        do {
            try UDPSocket.setReceiveTimeout(FileDescriptor(rawValue: WorkerDescriptors.udp),
                                            milliseconds: WorkerLoopTiming.receiveTimeoutMilliseconds)
        } catch {
            complain("\(kind.executableName): cannot set the UDP receive timeout: \(error)")
            return 2
        }
        let status: ProcessStatus
        do {
            status = try Sandbox.enter(SandboxPlan(user: args.user, rootDirectory: args.rootDirectory))
        } catch {
            complain("\(kind.executableName): privilege drop failed, refusing to serve: \(error)")
            return 3
        }
        // Only now, without privileges, may anything start a thread.
        ShadowLogHandler.bootstrap(process: kind.rawValue, level: .info, output: LogOutput(stdout: true))
        var logger = Logger(label: "shadowdhcp.\(kind)")
        logger[metadataKey: "worker.generation"] = "\(args.generation)"
        do {
            let channel = try SeqPacketChannel(adopting: FileDescriptor(rawValue: WorkerDescriptors.ipc))
            let ready = ReadyMessage(pid: UInt32(getpid()), uid: status.uids[0], gid: status.gids[0],
                                     workerGeneration: args.generation)
            try channel.send(IPCCodec.encode(.ready(ready), generation: args.generation, direction: kind.toMaster))
            let udp = FileDescriptor(rawValue: WorkerDescriptors.udp)
            switch kind {
            case .v4:
                return try WorkerLoop<V4PacketHandler>(kind: kind, generation: args.generation, channel: channel,
                                                   udp: udp, logger: logger).run()
            case .v6:
                return try WorkerLoop<V6PacketHandler>(kind: kind, generation: args.generation, channel: channel,
                                                   udp: udp, logger: logger).run()
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
        guard let udp = SocketKind.of(FileDescriptor(rawValue: WorkerDescriptors.udp)),
              let ipc = SocketKind.of(FileDescriptor(rawValue: WorkerDescriptors.ipc)) else { return false }
        let family = kind == .v4 ? AF_INET : AF_INET6
        return udp.type == CInt(SOCK_DGRAM.rawValue) && udp.domain == family
            && ipc.type == CInt(SOCK_SEQPACKET.rawValue) && ipc.domain == AF_UNIX
    }

    private static func complain(_ message: String) {
        let line = Array((message + "\n").utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
