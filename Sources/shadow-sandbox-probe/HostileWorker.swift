import CShim
import Glibc
import IPC
import ShadowSystem
import SystemPackage

/// Started by a real master as its `shadow-v4` (the probe hard-linked under that name): confines
/// itself exactly like the real worker (allow list, limits, SIGSYS reporter), reports ready, waits
/// for its configuration, then does what a compromised worker would to keep its sibling dead:
/// prlimit64 on another process of the account (here its parent). The filter must refuse it;
/// the master must log the call by name and restart the worker.
enum HostileWorker {
    static func run(_ argv: [String]) -> Int32 {
        guard let args = WorkerArguments(argv) else { return 2 }
        do {
            let channel = try SeqPacketChannel(adopting: FileDescriptor(rawValue: WorkerDescriptors.ipc))
            try SeccompReporter.install(process: "shadow-v4")
            let status = try Sandbox.enter(SandboxPlan(user: args.user, rootDirectory: args.rootDirectory,
                                                       limits: .worker))
            try channel.send(IPCCodec.encode(.ready(ReadyMessage(pid: UInt32(getpid()), uid: status.uids[0],
                                                                 gid: status.gids[0], workerGeneration: args.generation)),
                                             generation: args.generation, direction: .v4ToMaster))
            _ = try channel.receive()
            var limit = rlimit(rlim_cur: 0, rlim_max: 0)
            _ = withUnsafePointer(to: &limit) {
                cshim_syscall4(ProbeWorkerCalls.X86_64.prlimit64, Int(getppid()), 7 /* RLIMIT_NOFILE */,
                               Int(bitPattern: $0), 0)
            }
            return 0
        } catch {
            return 1
        }
    }
}
