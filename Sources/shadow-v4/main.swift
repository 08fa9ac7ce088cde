// shadow-v4: the unprivileged DHCPv4 worker. Started by shadow-master only.
import Glibc
import ShadowWorker

exit(WorkerProcess.run(kind: .v4))
