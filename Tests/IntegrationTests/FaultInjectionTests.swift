import Glibc
import ShadowCore
import ShadowSystem
import ShadowTesting
import Testing

/// Faults an ISP's server meets sooner or later (issue 13, "Fault injection"): a full or read-only
/// disk under the configuration and state directories, a worker killed again and again under
/// load, a master stopped for two seconds, a reservations file truncated just before a reload.
/// In each the server keeps serving, the files on disk stay as they were, and the master says
/// what happened.
@Suite(.needsRoot, .timeLimit(.minutes(2)))
struct FaultInjectionTests {
    static func withManagement(_ configure: (inout ServerConfigFile) -> Void = { _ in }) throws -> ServerDirectory {
        try ServerDirectory(reservations: Fixtures.reservations) { config in
            config.extra = [#""mgmt_socket": "\#(config.stateDir.dropLast("/state".count))/run/mgmt.sock""#]
            // The probes ask for one client back to back, far above storm control's 10 per second.
            config.rateLimits = ServerConfigFile.noRateLimits
            configure(&config)
        }
    }

    static let plantedBindings = #"[{"mac":"02-00-00-00-00-99","option82":{"circuit":"before"},"last_seen":1}]"# + "\n"

    /// Puts `directory` on a tmpfs of its own (1 MiB) holding the same files, with a
    /// `bindings.json` from before; `remove` unmounts it.
    struct SmallDisk {
        let path: String

        init(_ directory: ServerDirectory) throws {
            path = directory.path
            try #require(mount("tmpfs", path, "tmpfs", 0, "size=1m,mode=0700") == 0, "mount: \(errno)")
            try Files.write(directory.config.idsJSON, to: directory.file("ids.json"))
            try Files.write(directory.config.configJSON, to: directory.file("config.json"))
            try directory.writeReservations(Fixtures.reservations)
            #expect(mkdir(directory.file("run"), 0o700) == 0)
            #expect(mkdir(directory.config.stateDir, 0o750) == 0)
            try Files.write(plantedBindings, to: directory.bindingsFile)
        }

        /// Writes a filler file until the file system is full.
        func fill() {
            let fd = open(path + "/filler", O_WRONLY | O_CREAT, 0o600)
            defer { close(fd) }
            let chunk = [UInt8](repeating: 0x55, count: 4096)
            while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
            #expect(errno == ENOSPC)
        }

        func makeReadOnly() throws {
            try #require(mount("tmpfs", path, "tmpfs", UInt(MS_REMOUNT | MS_RDONLY), nil) == 0, "remount: \(errno)")
        }

        func remove() { umount2(path, Int32(MNT_DETACH)) }
    }

    /// `reservation_count` of a `status` answer.
    static func reservationCount(_ status: String) -> Int? {
        guard let start = status.range(of: #""reservation_count":"#)?.upperBound else { return nil }
        return Int(status[start...].prefix { $0.isNumber })
    }

    static func names(in path: String) -> [String] {
        ((try? FileSystem.names(in: path)) ?? []).sorted()
    }

    @Test(arguments: ["full", "read-only"])
    func aFullOrReadOnlyDiskKeepsTheOldFilesAndTheServiceGoesOn(_ fault: String) async throws {
        let directory = try Self.withManagement()
        let logs = try Files.makeTemporaryDirectory(prefix: "shadow-fault-logs")
        defer { Files.removeTree(logs) }
        directory.outputDirectory = logs
        let disk = try SmallDisk(directory)
        defer { disk.remove() }
        let original = try #require(Files.read(directory.file("reservations.json")))
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        let prober = WorkerRestartTests.Prober(relay4: relay4, relay6: relay6)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            _ = try await master.waitForOps()
            if fault == "full" { disk.fill() } else { try disk.makeReadOnly() }
            try Scenarios.learnRelayBinding(relay4, master: master)
            _ = try await Scenarios.solicitRelaySubscriberUntilAnswered(relay6, carrier: .option79)

            // replace: a clear error, the file as it was, and the old set served again (the new
            // one went live before its file was written, and the old one is live as generation 3).
            let smaller = TestReservation.file([Fixtures.relaySubscriber]).split(separator: "\n").joined()
            let mark = master.lines.count
            let countBefore = Self.reservationCount(try ManagementTests.request(directory.file("run/mgmt.sock"), #"{"command":"status"}"#))
            let answer = try ManagementTests.request(directory.file("run/mgmt.sock"),
                                                     #"{"command":"replace","reservations":\#(smaller)}"#)
            let reason = fault == "full" ? "No space left on device" : "Read-only file system"
            #expect(answer.contains("Failed to write reservations") && answer.contains(reason), "\(answer)")
            #expect(Files.read(directory.file("reservations.json")) == original)
            #expect(master.lines[mark...].contains {
                $0.level == "ERROR" && $0.message.contains("cannot write \(directory.file("reservations.json"))")
                    && $0.message.contains("made live again")
            }, "\(master.output.tail())")
            try await ReloadTests.waitForSnapshot(3, master, after: mark)
            let status = try ManagementTests.request(directory.file("run/mgmt.sock"), #"{"command":"status"}"#)
            #expect(Self.reservationCount(status) == countBefore && status.contains(#""snapshot_generation":3,"#), "\(status)")
            #expect(try prober.answered("v4", timeout: .seconds(3)))

            // Shutdown: the bindings cannot be saved; that is said, and the old file stays.
            try master.send(SIGTERM)
            #expect(try await master.waitForExit(timeout: .seconds(10)) == .exited(0), "\(master.output.tail())")
            #expect(master.lines.contains {
                $0.level == "ERROR" && $0.message.contains("cannot write \(directory.bindingsFile)") && $0.message.contains(reason)
            }, "\(master.output.tail())")
        }
        #expect(Files.read(directory.bindingsFile).map { String(decoding: $0, as: UTF8.self) } == Self.plantedBindings)
        // No temporary file left behind in either directory.
        #expect(Self.names(in: directory.config.stateDir) == ["bindings.json"])
        #expect(!Self.names(in: directory.path).contains { $0.hasPrefix(".") && $0 != ".reservations.json.tmp" })
    }

    /// Master memory and descriptors, from /proc.
    static func usage(_ pid: Int32) -> (fds: Int, rssKiB: Int) {
        let fds = names(in: "/proc/\(pid)/fd").count
        let status = Files.read("/proc/\(pid)/status").map { String(decoding: $0, as: UTF8.self) } ?? ""
        let rss = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
            .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") } ?? 0
        return (fds, rss)
    }

    @Test func aWorkerKilledEvery200msForTenSeconds() async throws {
        let directory = try Self.withManagement()
        let prober = WorkerRestartTests.Prober(relay4: try RelayV4(server: directory.v4Server),
                                               relay6: try RelayV6(server: directory.v6Server))
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            _ = try await master.waitForOps()
            let before = Self.usage(master.pid)
            var asked = 0, answered = 0, kills = 0
            let end = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < end {
                if let v4 = master.servingWorker("v4"), kill(v4.pid, SIGKILL) == 0 { kills += 1 }
                // The other protocol under load meanwhile: every exchange is answered.
                let round = ContinuousClock.now + .milliseconds(200)
                while ContinuousClock.now < round {
                    asked += 1
                    if try prober.answered("v6", timeout: .seconds(1)) { answered += 1 }
                }
            }
            #expect(answered == asked, "v6 answered \(answered) of \(asked)")
            #expect(kills >= 3)
            // Restarts are throttled (100 ms doubling): far fewer starts than kill attempts.
            let starts = master.lines.filter { $0.message == "started v4 worker" }.count
            #expect(starts <= 10, "\(starts) v4 starts in 10 s")
            // It comes back, and the master holds no more than before.
            // The next restart can be up to 12.8 s away (the backoff doubled with every kill).
            var back = false
            let patience = ContinuousClock.now + .seconds(40)
            while !back && ContinuousClock.now < patience {
                back = try prober.answered("v4", timeout: .milliseconds(500))
            }
            #expect(back, "v4 never came back\n\(master.output.tail())")
            let after = Self.usage(master.pid)
            #expect(after.fds == before.fds, "master descriptors \(before.fds) → \(after.fds)")
            #expect(after.rssKiB - before.rssKiB < 4096, "master RSS \(before.rssKiB) → \(after.rssKiB) KiB")
            #expect(kill(master.pid, 0) == 0)
        }
    }

    @Test func aStoppedMasterDoesNotStopTheWorkers() async throws {
        let directory = try Self.withManagement()
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        let prober = WorkerRestartTests.Prober(relay4: relay4, relay6: relay6)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            _ = try await master.waitForOps()
            try master.send(SIGSTOP)
            let resumed = ContinuousClock.now + .seconds(2)
            var asked = 0, answered = 0
            // The binding the v4 worker reports waits in its channel until the master runs again.
            try Scenarios.learnRelayBinding(relay4, master: master)
            while ContinuousClock.now < resumed {
                for kind in ["v4", "v6"] {
                    asked += 1
                    if try prober.answered(kind, timeout: .seconds(1)) { answered += 1 }
                }
            }
            try master.send(SIGCONT)
            #expect(answered == asked, "answered \(answered) of \(asked) while the master was stopped")
            var bindings = ""
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline {
                bindings = try ManagementTests.request(directory.file("run/mgmt.sock"), #"{"command":"bindings"}"#)
                if bindings.contains(#""binding_count":1"#) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(bindings.contains(#""binding_count":1"#), "\(bindings)")
            #expect(master.servingWorker("v4")?.generation == 1)
            #expect(master.servingWorker("v6")?.generation == 1)
        }
    }

    @Test func aReservationsFileTruncatedBeforeTheReloadIsRefused() async throws {
        let directory = try Self.withManagement()
        let prober = WorkerRestartTests.Prober(relay4: try RelayV4(server: directory.v4Server),
                                               relay6: try RelayV6(server: directory.v6Server))
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            let whole = TestReservation.file(Fixtures.reservations)
            try directory.writeReservations(text: String(whole.prefix(whole.utf8.count / 2)))
            let mark = master.lines.count
            try master.send(SIGHUP)
            try await master.waitForLine(after: mark, "the reload failure") {
                $0.level == "ERROR" && $0.message.hasPrefix("failed to reload reservations")
            }
            #expect(try prober.answered("v4", timeout: .seconds(3)))
            #expect(try prober.answered("v6", timeout: .seconds(3)))
            #expect(!master.lines[mark...].contains { $0.message.hasSuffix("worker applied snapshot") })
        }
    }
}
