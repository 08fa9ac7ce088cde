import Glibc
import ShadowOps

// The operations process: management, /metrics and the event writer, sandboxed. Started by
// shadow-master only (docs/privileges.md, "The operations process").
exit(OpsProcess.run())
