import Glibc
import ShadowTesting
import Testing

/// docs/privileges.md, "Output of the sandboxed processes": every sandboxed child runs in a
/// session of its own with stdin on /dev/null and stdout and stderr on pipes the master reads;
/// the master passes lines on at a bounded rate and never as its own.
@Suite(.needsRoot, .timeLimit(.minutes(2)))
struct WorkerOutputTests {
    @Test func childrenHaveTheirOwnSessionNullInputAndPipedOutput() async throws {
        let directory = try ProcessAccountTests.directory(user: "nobody")
        try await withMaster(directory) { master in
            let (v4, v6) = try await master.waitUntilServing()
            let ops = try await master.waitForOps()
            let masterSession = try #require(ProcFS.session(of: master.pid))
            for (kind, pid) in [("v4", v4.pid), ("v6", v6.pid), ("ops", ops.pid)] {
                #expect(ProcFS.session(of: pid) == pid, "\(kind) is not a session leader")
                #expect(ProcFS.session(of: pid) != masterSession, "\(kind) shares the master's session")
                #expect(ProcFS.link("/proc/\(pid)/fd/0") == "/dev/null", "\(kind) fd 0")
                for fd in [1, 2] {
                    #expect(ProcFS.link("/proc/\(pid)/fd/\(fd)")?.hasPrefix("pipe:") == true, "\(kind) fd \(fd)")
                }
            }
            // A worker's own lines still arrive, unchanged.
            #expect(master.lines.contains { $0.process == "v4" && $0["output"] == nil })
        }
    }

    @Test func aFloodingWorkerIsRateLimitedAndTheMasterKeepsServing() async throws {
        let binaries = try WorkerTrustTests.HostileBinaries(mode: "flood")
        defer { binaries.remove() }
        let directory = try ServerDirectory(reservations: Fixtures.reservations) { config in
            config.childLinesPerSecond = 500
            config.extra = [#""mgmt_socket": "\#(config.stateDir.dropLast("/state".count))/run/mgmt.sock""#]
        }
        let prober = WorkerRestartTests.Prober(relay4: try RelayV4(server: directory.v4Server),
                                               relay6: try RelayV6(server: directory.v6Server))
        try await withMaster(directory, executable: binaries.master) { master in
            _ = try await master.waitForOps()
            // While the flood lasts (3 s), v6 and management are served.
            #expect(try prober.answered("v6", timeout: .seconds(3)))
            let workers = try ManagementTests.request(directory.file("run/mgmt.sock"), #"{"command":"workers"}"#)
            #expect(workers.contains(#""protocol":"v4""#))
            let (_, summary) = try await master.waitForLine(timeout: .seconds(15), "the summary of dropped lines") {
                $0.process == "master" && $0.message.hasPrefix("shadow-v4: ") && $0.message.hasSuffix(" lines dropped (over 500 lines/s)")
            }
            let dropped = Int(summary.message.dropFirst("shadow-v4: ".count).prefix { $0.isNumber }) ?? 0
            #expect(dropped > 0)
            // A worker's stderr goes to the master's stderr.
            let stderrLines = master.output.stderr.split(separator: "\n").compactMap { LogLine(String($0)) }
            let passed = stderrLines.filter { $0.process == "v4" && $0.message.hasPrefix("flood line") }.count
            // At most a second's burst plus the rate over the 3 s (and the time the check took).
            #expect(passed > 0 && passed <= 500 * 6, "\(passed) flood lines passed on")
            #expect(try prober.answered("v6", timeout: .seconds(3)))
            // The flood came from stderr and is not a log line: escaped, labelled v4.
            #expect(stderrLines.contains { $0.process == "v4" && $0["output"] == "stderr" && $0.message.hasPrefix("flood line") })
        }
    }

    /// The lines of the hostile worker's `forge` mode that must not pass as they are.
    static let forgeries = [
        #"{"timestamp":"2026-01-01T00:00:00.000Z","level":"CRITICAL","process":"master","message":"forged by v4"}"#,
        "2026-01-01T00:00:00.000Z CRITICAL master: forged by v4 in text",
        #"{"timestamp":"2026-01-01T00:00:00.000Z","level":"INFO","process":"v4","process":"master","message":"forged twice"}"#,
    ]

    @Test func aLineImitatingTheMasterIsPassedOnAsTheWorkers() async throws {
        let binaries = try WorkerTrustTests.HostileBinaries(mode: "forge")
        defer { binaries.remove() }
        let directory = try WorkerTrustTests.serverDirectory()
        let (lines, stdout) = try await withMaster(directory, executable: binaries.master) { master in
            try await master.waitForLine("the genuine line") { $0.process == "v4" && $0.message == "genuine v4 line" }
            try await master.waitForLine("the escape sequence, escaped") {
                $0.process == "v4" && $0.message == #"\u{1B}[2J\u{1B}]0;forged title\u{07}escape from v4"#
            }
            return (master.lines, master.output.stdout)
        }
        #expect(!lines.contains { $0.process == "master" && $0.message.contains("forged") })
        let genuine = try #require(lines.first { $0.message == "genuine v4 line" })
        #expect(genuine["output"] == nil && genuine.level == "INFO", "\(genuine)")
        for forged in Self.forgeries {
            #expect(lines.contains { $0.process == "v4" && $0["output"] == "stdout" && $0.message == forged },
                    "not passed on as v4's: \(forged)")
        }
        // No raw escape byte reaches the master's output.
        #expect(!stdout.utf8.contains(0x1B))
    }
}
