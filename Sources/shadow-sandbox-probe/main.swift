// Test support for ShadowSystemTests: behaves like a worker and prints what it sees as
// `key=value` lines on stdout. Modes:
//   fds                      list open descriptors, signal mask/ignored set and environment
//   drop USER ROOTDIR        enter the worker sandbox, then try forbidden calls
//   worker USER ROOTDIR GEN  fd 3 IPC (SEQPACKET), fd 4 UDP: drop, send ready, apply a memfd
//                            snapshot, echo one datagram, exit on shutdown
//   ops-call USER ROOTDIR C  enter the sandbox with the operations process's allow list, make
//                            call C (ProbeOps) and print its errno — or die by SIGSYS
//   worker-call USER ROOTDIR C  enter the sandbox as a worker does (allow list, limits, SIGSYS
//                            reporter), make call C (ProbeWorkerCalls) and print its result — or
//                            die by SIGSYS with the call named on stderr
//   --generation N …         started by a master as its shadow-ops (hard link): HostileOps; as its
//                            shadow-v4: HostileWorker
import ShadowSystem

let arguments = CommandLine.arguments
switch arguments.count > 1 ? arguments[1] : "" {
case "fds":
    ProbeModes.listDescriptors()
case "drop" where arguments.count == 4:
    CurrentProcess.exit(ProbeModes.drop(user: arguments[2], root: arguments[3]))
case "worker" where arguments.count == 5:
    CurrentProcess.exit(ProbeWorker.run(user: arguments[2], root: arguments[3], generation: UInt64(arguments[4]) ?? 0))
case "--generation" where arguments[0].hasSuffix("shadow-v4"):
    CurrentProcess.exit(HostileWorker.run(arguments))
case "--generation":
    CurrentProcess.exit(HostileOps.run(arguments))
case "worker-call" where arguments.count == 5:
    CurrentProcess.exit(ProbeWorkerCalls.run(user: arguments[2], root: arguments[3], call: arguments[4]))
case "ops-call" where arguments.count == 5:
    CurrentProcess.exit(ProbeOps.run(user: arguments[2], root: arguments[3], call: arguments[4]))
default:
    print("usage: shadow-sandbox-probe fds | drop USER ROOTDIR | worker USER ROOTDIR GENERATION")
    CurrentProcess.exit(2)
}
