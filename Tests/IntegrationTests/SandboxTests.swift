import Glibc
import ShadowTesting
import Testing

/// What the kernel says about each running worker (docs/privileges.md, "Auditing a running worker").
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct SandboxTests {
    @Test func workersRunConfinedAccordingToProc() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations)
        try await withMaster(directory) { master in
            let (v4, v6) = try await master.waitUntilServing()
            for worker in [v4, v6] {
                let status = try #require(ProcFS.status(worker.pid), "\(worker) has no /proc entry")
                #expect(status["PPid"] == String(master.pid), "\(worker) is not the master's child")
                for key in ["Uid", "Gid"] {
                    let ids = try #require(status[key]).split(whereSeparator: { $0 == "\t" || $0 == " " })
                    #expect(ids.count == 4, "\(worker) \(key): \(ids)")
                    #expect(!ids.contains("0"), "\(worker) \(key) has a 0: \(ids)")
                }
                for key in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
                    #expect(status[key] == "0000000000000000", "\(worker) \(key) = \(status[key] ?? "missing")")
                }
                #expect(status["NoNewPrivs"] == "1", "\(worker)")
                #expect(status["Seccomp"] == "2", "\(worker)")
            }
        }
    }

    /// docs/privileges.md, "The master's own capabilities": after binding, the master keeps
    /// CAP_DAC_OVERRIDE and CAP_KILL, and its bounding set holds exactly what a worker needs for
    /// its own drop (CAP_SETGID, CAP_SETUID, CAP_SETPCAP, CAP_SYS_CHROOT).
    @Test func masterKeepsExactlyTheDocumentedCapabilities() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            let status = try #require(ProcFS.status(master.pid))
            #expect(status["CapPrm"] == "0000000000000022")
            #expect(status["CapEff"] == "0000000000000022")
            #expect(status["CapBnd"] == "00000000000401c0")
            #expect(status["CapInh"] == "0000000000000000")
            #expect(status["CapAmb"] == "0000000000000000")
        }
    }

    /// docs/privileges.md: a worker holds 0–2, the UDP socket at 3, the IPC socket at 4 and its own
    /// wake-up pipe, nothing else, also after snapshots (each arrives with a memfd) were swapped in.
    @Test func workersHoldOnlyTheirDescriptorsAcrossReloads() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            var mark = 0
            for generation in 2...4 {
                mark = master.lines.count
                try master.send(SIGHUP)
                for kind in ["v4", "v6"] {
                    try await master.waitForLine(after: mark, "\(kind) on snapshot \(generation)") {
                        $0.process == kind && $0.message == "\(kind) worker applied snapshot"
                            && $0["snapshot.generation"] == String(generation)
                    }
                }
            }
            for kind in ["v4", "v6"] {
                let worker = try #require(master.servingWorker(kind))
                let fds = Files.list("/proc/\(worker.pid)/fd").compactMap { Int($0) }.sorted()
                // 0–4 as inherited, plus the two ends of the worker's own self-pipe that wakes its
                // loop when a snapshot build finishes (no memfd and no mapping's fd stays open).
                #expect(fds == [0, 1, 2, 3, 4, 5, 6], "\(worker) holds \(fds)")
                #expect(ProcFS.link("/proc/\(worker.pid)/fd/3")?.hasPrefix("socket:") == true)
                #expect(ProcFS.link("/proc/\(worker.pid)/fd/4")?.hasPrefix("socket:") == true)
                #expect(ProcFS.link("/proc/\(worker.pid)/fd/5")?.hasPrefix("pipe:") == true)
                #expect(ProcFS.link("/proc/\(worker.pid)/fd/6")?.hasPrefix("pipe:") == true)
                #expect(ProcFS.link("/proc/\(worker.pid)/root") == "/run/shadowdhcp/empty")
            }
        }
    }

    /// docs/privileges.md, "The operations process": shadow-ops is confined like a worker, is the
    /// master's child, is chrooted into the empty directory and holds its IPC socket at 3, the
    /// listeners the master bound from 4, and otherwise only sockets and NIO's event descriptors.
    @Test func opsRunsConfinedAccordingToProc() async throws {
        let mgmtPort = try ManagementTests.freePort()
        let metricsPort = try ManagementTests.freePort()
        let directory = try OpsTests.directory(mgmtPort: mgmtPort, metricsPort: metricsPort)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            let ops = try await master.waitForOps()
            let status = try #require(ProcFS.status(ops.pid), "\(ops) has no /proc entry")
            #expect(status["PPid"] == String(master.pid), "\(ops) is not the master's child")
            for key in ["Uid", "Gid"] {
                let ids = try #require(status[key]).split(whereSeparator: { $0 == "\t" || $0 == " " })
                #expect(ids.count == 4 && !ids.contains("0"), "\(ops) \(key): \(ids)")
            }
            for key in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
                #expect(status[key] == "0000000000000000", "\(ops) \(key) = \(status[key] ?? "missing")")
            }
            #expect(status["NoNewPrivs"] == "1")
            #expect(status["Seccomp"] == "2")
            #expect(ProcFS.link("/proc/\(ops.pid)/root") == "/run/shadowdhcp/empty")
            let fds = Files.list("/proc/\(ops.pid)/fd").compactMap { Int($0) }.sorted()
            #expect(Array(fds.prefix(7)) == [0, 1, 2, 3, 4, 5, 6], "\(ops) holds \(fds)")
            for fd in fds where fd >= 3 {
                let link = ProcFS.link("/proc/\(ops.pid)/fd/\(fd)") ?? "?"
                let expected = fd <= 6 ? link.hasPrefix("socket:")
                    : link.hasPrefix("socket:") || link.hasPrefix("anon_inode:") || link.hasPrefix("pipe:")
                #expect(expected, "ops fd \(fd) -> \(link)")
            }
        }
    }
}
