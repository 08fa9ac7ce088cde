import Glibc
import IPC
import ShadowCore
import ShadowSystem
import SystemPackage

/// `ops-call USER ROOTDIR CALL`: binds a TCP listener and creates an unbound TCP socket, enters
/// the sandbox with the operations process's allow-list filter (the listener named as inherited),
/// makes one call and prints `CALL=ERRNO` (0 = succeeded). A call the filter forbids kills the
/// process with SIGSYS before it prints.
enum ProbeOps {
    static func run(user: String, root: String, call: String) -> Int32 {
        let listener: FileDescriptor
        let other: Int32
        do {
            listener = try StreamListener.bindTCP(.v4(IPv4Address("127.0.0.1")!, port: 0))
            other = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            _ = try Sandbox.enter(SandboxPlan(user: user, rootDirectory: root,
                                              seccomp: .ops(listeners: [listener.rawValue])))
        } catch {
            print("error=\(error)")
            return 1
        }
        func outcome(_ result: Int32) -> Int32 {
            print("\(call)=\(result == -1 ? errno : 0)")
            return 0
        }
        /// accept4(2), as NIO calls it.
        func accept(_ fd: Int32) -> Int32 {
            do {
                try Descriptors.accept(on: FileDescriptor(rawValue: fd)).close()
                print("\(call)=0")
            } catch {
                print("\(call)=\((error as? Errno)?.rawValue ?? -1)")
            }
            return 0
        }
        var any = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: 0, sin_addr: in_addr(s_addr: 0),
                              sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        switch call {
        case "accept-listener":
            _ = fcntl(listener.rawValue, F_SETFL, O_NONBLOCK)
            return accept(listener.rawValue)
        case "accept-other": return accept(other)
        case "listen-listener": return outcome(listen(listener.rawValue, 16))
        case "listen-other": return outcome(listen(other, 16))
        case "bind":
            return outcome(withUnsafePointer(to: &any) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(other, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            })
        case "socket-tcp": return outcome(socket(AF_INET6, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0))
        case "socket-udp": return outcome(socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0))
        case "socket-unix": return outcome(socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0))
        case "socket-raw": return outcome(socket(AF_PACKET, Int32(SOCK_RAW.rawValue), 0))
        case "open": return outcome(open("/etc/passwd", O_RDONLY))
        case "thread": return outcome(ProbeModes.startAndJoinThread() ? 0 : -1)
        case "fork": return outcome(fork())
        case "execve":
            var args: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
            return outcome(execv("/bin/true", &args))
        case "setuid": return outcome(setuid(0))
        case "chroot": return outcome(chroot("/"))
        case "kill-parent": return outcome(kill(getppid(), 0))
        case "unlink": return outcome(unlink("/x"))
        default:
            print("error=unknown call \(call)")
            return 2
        }
    }
}

/// Started by a real master as its `shadow-ops` (the probe hard-linked under that name): confines
/// itself and reports ready exactly like the real one, then sends a message the operations
/// process may not send (a worker's `event`), as a compromised ops might. The master must kill it.
enum HostileOps {
    static func run(_ argv: [String]) -> Int32 {
        guard let args = OpsArguments(argv) else { return 2 }
        do {
            // Adopted before the drop: the worker's allow list, used here, has no getsockopt.
            let channel = try SeqPacketChannel(adopting: FileDescriptor(rawValue: OpsDescriptors.ipc))
            let status = try Sandbox.enter(SandboxPlan(user: args.user, rootDirectory: args.rootDirectory))
            try channel.send(IPCCodec.encode(.ready(ReadyMessage(pid: UInt32(getpid()), uid: status.uids[0],
                                                                 gid: status.gids[0], workerGeneration: args.generation)),
                                             generation: args.generation, direction: .opsToMaster))
            // Wait for the configuration, so the master has taken the ready.
            _ = try channel.receive()
            // Forbidden on ops → master; encoded as a worker would send it.
            try channel.send(IPCCodec.encode(.event(Array("{\"forged\":true}\n".utf8)), generation: args.generation,
                                             direction: .v4ToMaster))
            while case .message = try channel.receive() {}
            return 0
        } catch {
            return 1
        }
    }
}
