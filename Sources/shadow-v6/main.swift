// shadow-v6: the unprivileged DHCPv6 worker. Started by shadow-master only.
import Glibc
import ShadowWorker

exit(WorkerProcess.run(kind: .v6))
