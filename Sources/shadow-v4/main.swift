// shadow-v4: the unprivileged DHCPv4 worker. Started by shadow-master only.
import ShadowWorker

WorkerProcess.main(kind: .v4)
