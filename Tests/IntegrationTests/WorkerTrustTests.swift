import Glibc
import ShadowTesting
import Testing

/// The master distrusts its workers (docs/privileges.md): a hostile `shadow-v4` — the sandbox
/// probe hard-linked under that name, started from a directory that names its misdeed — floods
/// learned bindings for Option 82 values no reservation has, or sends `ready` twice.
@Suite(.needsRoot, .timeLimit(.minutes(2)))
struct WorkerTrustTests {
    /// A directory of hard links: the real master, v6 worker and ops, and the probe as `shadow-v4`.
    struct HostileBinaries {
        let directory: String
        static let names = ["shadow-master", "shadow-v4", "shadow-v6", "shadow-ops"]

        init(mode: String) throws {
            directory = BuildProducts.directory + "/hostile-v4-\(mode)-\(getpid())"
            #expect(mkdir(directory, 0o755) == 0 || errno == EEXIST)
            for (source, name) in [("shadow-master", "shadow-master"), ("shadow-sandbox-probe", "shadow-v4"),
                                   ("shadow-v6", "shadow-v6"), ("shadow-ops", "shadow-ops")] {
                unlink(directory + "/" + name)
                try #require(link(try BuildProducts.executable(source), directory + "/" + name) == 0, "link \(source): \(errno)")
            }
        }

        func remove() {
            for name in Self.names { unlink(directory + "/" + name) }
            rmdir(directory)
        }

        var master: String { directory + "/shadow-master" }
    }

    static func serverDirectory() throws -> ServerDirectory {
        try ServerDirectory(reservations: Fixtures.reservations) { config in
            config.extra = [#""mgmt_socket": "\#(config.stateDir.dropLast("/state".count))/run/mgmt.sock""#]
        }
    }

    /// The first v4 entry's number after `"field":` in a `workers` response.
    static func v4Field(_ workers: String, _ field: String) -> Int? {
        workers.split(separator: "\"\(field)\":").dropFirst().first.flatMap { Int($0.prefix { $0.isNumber }) }
    }

    @Test func floodedBindingsAreRefusedCountedAndNeverStored() async throws {
        let binaries = try HostileBinaries(mode: "bindings")
        defer { binaries.remove() }
        let directory = try Self.serverDirectory()
        let socket = directory.file("run/mgmt.sock")
        let prober = WorkerRestartTests.Prober(relay4: try RelayV4(server: directory.v4Server),
                                               relay6: try RelayV6(server: directory.v6Server))
        try await withMaster(directory, executable: binaries.master) { master in
            try await master.waitForLine("the first refusal logged") {
                $0.process == "master" && $0.message == "refusing learned bindings from the v4 worker"
                    && $0["reason"] == "not_reserved"
            }
            _ = try await master.waitForOps()
            // While the flood is read, v6 and management are served: the master reads a bounded
            // number of messages per worker per round.
            #expect(try prober.answered("v6", timeout: .seconds(3)))
            var refused = 0
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let workers = try ManagementTests.request(socket, #"{"command":"workers"}"#)
                refused = Self.v4Field(workers, "bindings_refused") ?? 0
                if refused >= 40_010 { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(refused == 40_010)
            #expect(master.output.lines.contains {
                $0.message == "refusing learned bindings from the v4 worker" && $0["reason"] == "bad_field"
            } || master.output.lines.contains { $0["reason"] == "over_rate" })
            let bindings = try ManagementTests.request(socket, #"{"command":"bindings"}"#)
            #expect(bindings.contains(#""binding_count":0"#), "\(bindings)")
            #expect(try prober.answered("v6", timeout: .seconds(3)))
            // Still the first hostile worker: refusing is not a reason to restart it.
            #expect(!master.lines.contains { $0.message == "started v4 worker" && $0.workerGeneration == 2 })
        }
    }

    @Test func aSecondReadyKillsTheWorker() async throws {
        let binaries = try HostileBinaries(mode: "ready")
        defer { binaries.remove() }
        let directory = try Self.serverDirectory()
        try await withMaster(directory, executable: binaries.master) { master in
            try await master.waitForLine("the second ready refused") {
                $0.process == "master" && $0.message == "v4 worker sent ready a second time" && $0["worker.generation"] == "1"
            }
            try await master.waitForLine("a second v4 started") {
                $0.process == "master" && $0.message == "started v4 worker" && $0.workerGeneration == 2
            }
        }
    }
}
