// shadow-v6: the unprivileged DHCPv6 worker. Started by shadow-master only.
import ShadowWorker

WorkerProcess.main(kind: .v6)
