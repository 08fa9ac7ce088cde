// Until the privilege-separated runtime lands, this worker only runs when started by shadow-master.
#if canImport(Glibc)
import Glibc
#endif

let message = "shadow-v4 is a worker process: it must be started by shadow-master.\n"
_ = message.withCString { write(2, $0, strlen($0)) }
exit(2)
