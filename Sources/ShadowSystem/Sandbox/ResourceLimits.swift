import Glibc
import SystemPackage

/// The resource limits a worker sets on itself before its privilege drop and verifies after it
/// (docs/privileges.md, "Resource limits"). Soft and hard limits are both set: without privileges
/// they can never be raised again.
public struct ResourceLimits: Sendable, Equatable {
    /// RLIMIT_NOFILE: one more than the highest descriptor number the process may hold.
    public var openFiles: UInt64
    /// RLIMIT_FSIZE: the largest file the process may write or size. tmpfs applies it to memfds too.
    public var fileSize: UInt64
    /// RLIMIT_CORE: the largest core file (0: reservation data never lands in one).
    public var coreSize: UInt64
    /// RLIMIT_NPROC: tasks (processes and threads) its real uid may have, system-wide.
    public var processes: UInt64

    public init(openFiles: UInt64, fileSize: UInt64, coreSize: UInt64 = 0, processes: UInt64) {
        self.openFiles = openFiles
        self.fileSize = fileSize
        self.coreSize = coreSize
        self.processes = processes
    }

    /// A DHCP worker's limits.
    ///
    /// Descriptors: 0–2, the UDP socket (3), the IPC socket (4), the loop's self-pipe (5, 6), a
    /// snapshot's or binding table's memfd while it is mapped, /proc/self/status during the drop;
    /// 16 leaves a margin for two transfers in flight. File size: a worker opens no file, and its
    /// stdout and stderr are pipes, but tmpfs applies RLIMIT_FSIZE to the one memfd it writes —
    /// its last-served report, 8 + 4 bytes per reservation — so 0 would make `ftruncate` fail
    /// with EFBIG (and raise SIGXFSZ); 64 MiB fits 16,777,214 reservations. Tasks: a worker runs 2 threads (its loop
    /// and the snapshot builder; measured with /proc/PID/task under the integration suite), and
    /// the limit counts every task of the account — all workers and the operations process
    /// (NIO and Dispatch threads, one per core each) — so 256 is what a host with 64 cores and
    /// 16 workers needs, while still stopping a thread bomb.
    public static let worker = ResourceLimits(openFiles: 16, fileSize: 64 * 1024 * 1024, processes: 256)

    /// A DHCP worker's limits when it holds a bulk leasequery listener (fd 5): room for the
    /// largest `bulk_max_connections` (1024) beside the 16 above — the worker learns the
    /// configured number only after its drop, when the limit can no longer be raised.
    public static let workerWithBulkLeasequery = ResourceLimits(openFiles: 16 + 1024, fileSize: 64 * 1024 * 1024,
                                                                processes: 256)

    /// The limits as (resource, value) pairs, in the order they are set.
    /// (Linux's numbers: Swift imports RLIMIT_NPROC not at all and the others as an enum.)
    var entries: [(resource: Int32, name: String, value: UInt64)] {
        [(7, "RLIMIT_NOFILE", openFiles), (1, "RLIMIT_FSIZE", fileSize),
         (4, "RLIMIT_CORE", coreSize), (6, "RLIMIT_NPROC", processes)]
    }

    /// Sets every limit (soft = hard).
    ///
    /// Corresponds to setrlimit(2).
    public func apply() throws(Errno) {
        for entry in entries {
            var limit = rlimit(rlim_cur: rlim_t(entry.value), rlim_max: rlim_t(entry.value))
            _ = try systemCall { setrlimit(entry.resource, &limit) }
        }
    }

    /// The limits in force now that differ from `self`: "RLIMIT_CORE is 1024/unlimited, not 0".
    ///
    /// Corresponds to getrlimit(2).
    public func mismatches() -> [String] {
        entries.compactMap { entry in
            var limit = rlimit()
            guard getrlimit(entry.resource, &limit) == 0 else { return "\(entry.name) cannot be read" }
            if limit.rlim_cur == rlim_t(entry.value) && limit.rlim_max == rlim_t(entry.value) { return nil }
            return "\(entry.name) is \(limit.rlim_cur)/\(limit.rlim_max), not \(entry.value)"
        }
    }
}
