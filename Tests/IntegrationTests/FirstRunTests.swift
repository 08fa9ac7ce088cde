import Foundation
import ShadowCore
import ShadowTesting
import Testing

/// What a new user meets (hardening issue 13, item 10): one clean line per listener, `status`
/// telling reservations from index keys, and `logging.format` applied to every process's lines.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct FirstRunTests {
    static func directory(mgmtPort: UInt16, httpPort: UInt16, metricsPort: UInt16,
                          format: String? = nil) throws -> ServerDirectory {
        try ServerDirectory(reservations: [ReloadTests.subscriber(10)]) { config in
            config.logFormat = format
            config.extra = [#""mgmt_socket": "\#(config.stateDir.dropLast("/state".count))/run/mgmt.sock""#,
                            #""mgmt_address": "127.0.0.1:\#(mgmtPort)""#,
                            #""mgmt_http_address": "127.0.0.1:\#(httpPort)""#,
                            #""metrics_address": "127.0.0.1:\#(metricsPort)""#]
        }
    }

    @Test func oneCleanLinePerListenerAndCountsNamedApart() async throws {
        let (mgmt, http, metrics) = (try ManagementTests.freePort(), try ManagementTests.freePort(),
                                     try ManagementTests.freePort())
        let directory = try Self.directory(mgmtPort: mgmt, httpPort: http, metricsPort: metrics)
        let socketPath = directory.file("run/mgmt.sock")
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            _ = try await master.waitForOps()
            let listening = master.lines.filter { $0.message.contains("listening on") }.map { "\($0.process): \($0.message)" }
            #expect(listening == [
                "master: DHCPv4 listening on \(directory.v4Server) (udp)",
                "master: DHCPv6 listening on \(directory.v6Server) (udp)",
                "master: Management listening on 127.0.0.1:\(mgmt) (tcp)",
                "master: Management listening on 127.0.0.1:\(http) (http)",
                "master: Management listening on \(socketPath) (unix)",
                "master: Metrics listening on 127.0.0.1:\(metrics) (http)",
            ], "\(master.output.tail())")
            // No NIO address descriptions, no second line for the same listener.
            #expect(!master.output.stdout.contains("[IPv4]"))
            #expect(master.lines.filter { $0.level == "INFO" && ($0.message.hasPrefix("Bound ") || $0.message.hasPrefix("Serving ")) }.isEmpty)

            // The fixture's one reservation has a MAC and a DUID: two index keys.
            #expect(master.lines.contains { $0.process == "master" && $0.message == "Loaded 1 reservations" })
            let status = try ManagementTests.request(socketPath, #"{"command":"status"}"#)
            #expect(status.hasPrefix(#"{"success":true,"message":"Status OK","reservation_count":2,"snapshot_generation":1,"snapshot_digest":""#))
            #expect(status.hasSuffix(#","reservations":1,"index_keys":2}"# + "\n"), "\(status)")
        }
    }

    @Test func theHAPeerChannelGetsOneLineToo() async throws {
        let (a, _) = try HighAvailabilityTests.pair()
        try await withMaster(a.directory) { master in
            _ = try await master.waitUntilServing()
            _ = try await master.waitForOps()
            let ha = master.lines.filter { $0.message.hasPrefix("HA peer channel") }
            #expect(ha.count == 1, "\(master.output.tail())")
            let line = try #require(ha.first)
            #expect(line.process == "master" && line.level == "INFO")
            #expect(line.message.hasPrefix("HA peer channel listening on 127.0.0.1:") && line.message.hasSuffix(" (tcp)"))
            #expect(line["ha.peers"] == "dhcp-b")
        }
    }

    /// `2026-12-06T05:00:00.123Z INFO master: message key=value …`.
    static func isTextLine(_ line: String, process: String) -> Bool {
        let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].count == 24, parts[0].hasSuffix("Z"), parts[0].dropFirst(10).first == "T",
              ["TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "ERROR", "CRITICAL"].contains(String(parts[1])) else { return false }
        return parts[2] == "\(process):"
    }

    /// `"format": "text"` with output to a file; no `format` with output to a terminal.
    @Test("text lines from every process", arguments: [(String?.some("text"), MasterProcess.StandardOutput.file), (nil, .terminal)])
    func textFormatReachesEveryProcess(format: String?, output: MasterProcess.StandardOutput) async throws {
        let (mgmt, http, metrics) = (try ManagementTests.freePort(), try ManagementTests.freePort(),
                                     try ManagementTests.freePort())
        let directory = try Self.directory(mgmtPort: mgmt, httpPort: http, metricsPort: metrics, format: format)
        try await withMaster(directory, standardOutput: output) { master in
            let deadline = ContinuousClock.now + .seconds(10)
            func has(_ process: String, _ text: String) -> Bool {
                master.output.stdoutLines.contains { Self.isTextLine($0, process: process) && $0.contains(text) }
            }
            while ContinuousClock.now < deadline
                    && !(has("v4", "v4 worker serving") && has("v6", "v6 worker serving") && has("ops", "ops process serving")) {
                try await Task.sleep(for: .milliseconds(50))
            }
            let lines = master.output.stdoutLines
            #expect(has("v4", "v4 worker serving") && has("v6", "v6 worker serving") && has("ops", "ops process serving"),
                    "\(master.output.tail())")
            #expect(lines.contains { Self.isTextLine($0, process: "master")
                                     && $0.hasSuffix(" INFO master: Management listening on 127.0.0.1:\(mgmt) (tcp)") })
            // Every line, whichever process wrote it, is text: none is a JSON object.
            #expect(!lines.isEmpty && lines.allSatisfy { !$0.hasPrefix("{") }, "\(master.output.tail())")
        }
    }

    /// An explicit `"format": "json"` wins over the terminal: every process writes JSON lines.
    @Test func jsonOnATerminalWhenAsked() async throws {
        let (mgmt, http, metrics) = (try ManagementTests.freePort(), try ManagementTests.freePort(),
                                     try ManagementTests.freePort())
        let directory = try Self.directory(mgmtPort: mgmt, httpPort: http, metricsPort: metrics, format: "json")
        try await withMaster(directory, standardOutput: .terminal) { master in
            _ = try await master.waitUntilServing()
            _ = try await master.waitForOps()
            #expect(Set(master.lines.map(\.process)).isSuperset(of: ["master", "v4", "v6", "ops"]))
            #expect(master.output.stdoutLines.allSatisfy { $0.hasPrefix("{") }, "\(master.output.tail())")
        }
    }
}
