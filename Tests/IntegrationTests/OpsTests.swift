import DHCPv4
import Foundation
import Glibc
import ShadowCore
import ShadowTesting
import Testing

/// The operations process (`shadow-ops`) through the real master: every management command is
/// parsed there and answered through typed IPC; it runs confined; killed, it is replaced alone.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct OpsTests {
    /// A directory with the management socket and TCP listener, and metrics.
    static func directory(mgmtPort: UInt16, metricsPort: UInt16) throws -> ServerDirectory {
        try ServerDirectory(reservations: [ReloadTests.subscriber(10)]) { config in
            config.extra = [#""mgmt_socket": "\#(config.stateDir.dropLast("/state".count))/run/mgmt.sock""#,
                            #""mgmt_address": "127.0.0.1:\#(mgmtPort)""#,
                            #""metrics_address": "127.0.0.1:\#(metricsPort)""#]
        }
    }

    /// One request line over TCP to 127.0.0.1:`port`; the response line.
    static func tcpRequest(port: UInt16, _ line: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: port.bigEndian,
                            sin_addr: in_addr(s_addr: UInt32(0x7F00_0001).bigEndian), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        let connected = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0, "connect 127.0.0.1:\(port): errno \(errno)")
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        return String(decoding: ManagementTests.readAll(fd), as: UTF8.self)
    }

    @Test func everyCommandWorksThroughOps() async throws {
        let mgmtPort = try ManagementTests.freePort()
        let metricsPort = try ManagementTests.freePort()
        let directory = try Self.directory(mgmtPort: mgmtPort, metricsPort: metricsPort)
        let socketPath = directory.file("run/mgmt.sock")
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            _ = try await master.waitForOps()
            // The socket's directory was created root-owned, mode 0750; the socket is 0600.
            var st = stat()
            #expect(stat(directory.file("run"), &st) == 0 && st.st_mode & 0o777 == 0o750 && st.st_uid == 0)
            #expect(stat(socketPath, &st) == 0 && st.st_mode & 0o777 == 0o600)

            // Upstream's fields first, then generation and digest (the same over both transports).
            let status = try ManagementTests.request(socketPath, #"{"command":"status"}"#)
            #expect(status.hasPrefix(#"{"success":true,"message":"Status OK","reservation_count":2,"snapshot_generation":1,"snapshot_digest":""#))
            #expect(try Self.tcpRequest(port: mgmtPort, #"{"command":"status"}"#) == status)

            let version = try Self.tcpRequest(port: mgmtPort, #"{"command":"version"}"#)
            #expect(version.hasPrefix(#"{"success":true,"message":"shadowdhcp "#), "\(version)")

            let lookup = try ManagementTests.request(socketPath, #"{"command":"lookup","mac":"00:11:22:33:44:55"}"#)
            #expect(lookup.contains(#""message":"Reservation found""#) && lookup.contains("198.51.100.10"), "\(lookup)")

            // replace: ops validates and sends a snapshot image; the master writes the file from
            // what it decoded, and both workers answer the new address.
            let mark = master.lines.count
            let valid = #"{"command":"replace","reservations":[{"ipv4":"198.51.100.20","ipv6_na":"2001:db8:1::20","ipv6_pd":"2001:db8:2000::/56","mac":"00-11-22-33-44-55","duid":"00:03:00:01:00:11:22:33:44:55"}]}"#
            #expect(try ManagementTests.request(socketPath, valid)
                    == #"{"success":true,"message":"Replaced with 1 reservations","reservation_count":1}"# + "\n")
            let written = try String(contentsOfFile: directory.file("reservations.json"), encoding: .utf8)
            let decoded = ReservationPersistence.persistedJSON([Reservation(
                ipv4: IPv4Address("198.51.100.20")!, ipv6NA: IPv6Address("2001:db8:1::20")!,
                ipv6PD: IPv6Prefix("2001:db8:2000::/56")!, mac: MACAddress("00-11-22-33-44-55"),
                duid: DUID("00:03:00:01:00:11:22:33:44:55"))])
            #expect(written == decoded)
            try await ReloadTests.waitForSnapshot(2, master, after: mark)
            #expect(try ReloadTests.ask(relay4, relay6) == ReloadTests.answers(20))
            let after = try ManagementTests.request(socketPath, #"{"command":"lookup","mac":"00-11-22-33-44-55"}"#)
            #expect(after.contains("198.51.100.20"), "\(after)")

            // An invalid replace is refused in ops with the loader's errors; nothing changes.
            let invalid = #"{"command":"replace","reservations":[{"ipv4":"10.0.0.1","ipv6_na":"2001:db8:1::20","ipv6_pd":"2001:db8:2000::/56","mac":"00-11-22-33-44-55"}]}"#
            let refused = try ManagementTests.request(socketPath, invalid)
            #expect(refused.hasPrefix(#"{"success":false,"error":"Invalid request: replace.reservations[0].ipv4: "#),
                    "\(refused)")
            #expect(try String(contentsOfFile: directory.file("reservations.json"), encoding: .utf8) == decoded)

            // reload re-reads the file on disk: back to 10.
            try directory.writeReservations([ReloadTests.subscriber(10)])
            #expect(try ManagementTests.request(socketPath, #"{"command":"reload"}"#)
                    == #"{"success":true,"message":"Reloaded 1 reservations","reservation_count":1}"# + "\n")
            try directory.writeReservations(text: "[{]")
            let broken = try ManagementTests.request(socketPath, #"{"command":"reload"}"#)
            #expect(broken.hasPrefix(#"{"success":false,"error":"Failed to parse reservations: "#), "\(broken)")

            // workers: v4, v6 and ops, each confined.
            let workers = try ManagementTests.request(socketPath, #"{"command":"workers"}"#)
            #expect(workers.contains(#""message":"3 workers""#), "\(workers)")
            for proto in ["v4", "v6", "ops"] { #expect(workers.contains(#""protocol":"\#(proto)""#), "\(workers)") }
            #expect(workers.components(separatedBy: #""seccomp_mode":2"#).count == 4, "\(workers)")
            #expect(!workers.contains(#""uid":0,"#), "\(workers)")

            let stats = try ManagementTests.request(socketPath, #"{"command":"stats"}"#)
            #expect(stats.contains(#""v4":{"received":"#) && stats.contains(#""v6":{"received":"#), "\(stats)")
            let bindings = try ManagementTests.request(socketPath, #"{"command":"bindings","mac":"00-11-22-33-44-55"}"#)
            #expect(bindings.hasPrefix(#"{"success":true"#) && bindings.contains(#""binding_count":"#), "\(bindings)")

            let metrics = try ManagementTests.httpGet(port: metricsPort, path: "/metrics")
            #expect(metrics.contains(#"shadowdhcp_worker_ready{protocol="ops"} 1"#), "\(metrics.prefix(2000))")
            // All of it with one ops: nothing it did hit its seccomp filter (or crashed it).
            #expect(!master.lines.contains { $0.message == "ops process exited" }, "\(master.output.tail())")
        }
    }

    /// `kill -9` of shadow-ops: a new one answers within 2 s; the DHCP workers keep their pids
    /// and keep answering.
    @Test func killedOpsIsReplacedAloneAndQuickly() async throws {
        let mgmtPort = try ManagementTests.freePort()
        let metricsPort = try ManagementTests.freePort()
        let directory = try Self.directory(mgmtPort: mgmtPort, metricsPort: metricsPort)
        let prober = WorkerRestartTests.Prober(relay4: try RelayV4(server: directory.v4Server),
                                               relay6: try RelayV6(server: directory.v6Server))
        try await withMaster(directory) { master in
            let (v4, v6) = try await master.waitUntilServing()
            let ops = try await master.waitForOps()
            let killedAt = monotonicMilliseconds()
            #expect(kill(ops.pid, SIGKILL) == 0)
            // A request sent while no ops runs waits in the listener's backlog (bound by the master).
            let status = try Self.tcpRequest(port: mgmtPort, #"{"command":"status"}"#)
            let answeredAfter = monotonicMilliseconds() - killedAt
            #expect(status.hasPrefix(#"{"success":true,"message":"Status OK""#), "\(status)")
            #expect(answeredAfter < 2000, "answered \(answeredAfter) ms after the kill")
            let replacement = try await master.waitForOps(newerThan: ops.generation)
            #expect(replacement.pid != ops.pid && replacement.generation == ops.generation + 1)
            #expect(master.lines.contains {
                $0.process == "master" && $0.message == "ops process exited" && $0.pid == ops.pid
            })
            #expect(master.servingWorker("v4") == v4 && master.servingWorker("v6") == v6)
            #expect(try prober.answered("v4", timeout: .seconds(2)))
            #expect(try prober.answered("v6", timeout: .seconds(2)))
            #expect(!master.lines.contains { $0.message.hasSuffix("worker exited") })
        }
    }

    /// No collector: the writer's refused connects, retry jitter and timers all stay inside
    /// ops's allow-list filter, and the workers' events keep flowing to ops through the master.
    @Test func opsSurvivesAnAbsentCollector() async throws {
        let eventsPort = try ManagementTests.freePort()  // nothing listens there
        let directory = try ServerDirectory(reservations: Fixtures.reservations) { config in
            config.extra = [#""events": {"tcp": "127.0.0.1:\#(eventsPort)"}"#,
                            #""mgmt_socket": "\#(config.stateDir.dropLast("/state".count))/run/mgmt.sock""#]
        }
        let prober = WorkerRestartTests.Prober(relay4: try RelayV4(server: directory.v4Server),
                                               relay6: try RelayV6(server: directory.v6Server))
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            let ops = try await master.waitForOps()
            for _ in 0..<3 {
                #expect(try prober.answered("v4", timeout: .seconds(2)))
                #expect(try prober.answered("v6", timeout: .seconds(2)))
            }
            // The first batch goes out after 3 s and is refused; the retry follows 3–4 s later.
            try await Task.sleep(for: .seconds(8))
            #expect(master.servingOps() == ops)
            #expect(!master.lines.contains { $0.message == "ops process exited" }, "\(master.output.tail())")
            let stats = try ManagementTests.request(directory.file("run/mgmt.sock"), #"{"command":"stats"}"#)
            #expect(stats.contains(#""events":{"submitted":6,"sent":0,"#) && stats.contains(#""connected":false"#),
                    "\(stats)")
        }
    }

    /// An https ClickHouse sink (`events.clickhouse`): ops reads the system trust store before its
    /// sandbox and the host name with it, builds the TLS context inside the sandbox and starts a
    /// handshake — a TLS ClientHello naming `localhost` reaches the server (which never answers) —
    /// and stays up: nothing on that path is outside its allow-list filter.
    @Test func opsSurvivesAClickHouseSinkOverTLS() async throws {
        let port = try ManagementTests.freePort()
        let server = try ManagementTests.Collector(port: port)
        let directory = try ServerDirectory(reservations: Fixtures.reservations) { config in
            config.extra = [#""events": {"clickhouse": {"url": "https://localhost:\#(port)", "user": "u", "password": "p"}}"#,
                            #""mgmt_socket": "\#(config.stateDir.dropLast("/state".count))/run/mgmt.sock""#]
        }
        let prober = WorkerRestartTests.Prober(relay4: try RelayV4(server: directory.v4Server),
                                               relay6: try RelayV6(server: directory.v6Server))
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, 255)
        let hostName = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            let ops = try await master.waitForOps()
            _ = try await master.waitForLine("the writer's start line") {
                $0.process == "ops" && $0.message == "Starting ClickHouse writer -> https://localhost:\(port) (host_name=\(hostName))"
            }
            #expect(try prober.answered("v4", timeout: .seconds(2)))
            #expect(try prober.answered("v6", timeout: .seconds(2)))
            _ = try await eventually(timeout: .seconds(10), "a ClientHello at the server") {
                let bytes = server.received.value.withLock { $0 }
                return bytes.first == 0x16 && String(decoding: bytes, as: UTF8.self).contains("localhost") ? true : nil
            }
            try await Task.sleep(for: .seconds(1))
            #expect(master.servingOps() == ops)
            #expect(!master.lines.contains { $0.message == "ops process exited" }, "\(master.output.tail())")
            let stats = try ManagementTests.request(directory.file("run/mgmt.sock"), #"{"command":"stats"}"#)
            #expect(stats.contains(#""clickhouse":{"submitted":2,"sent":0,"#), "\(stats)")
        }
    }

    /// A compromised ops that sends a message its direction does not allow (a worker's `event`)
    /// is killed and replaced; the workers are not touched. The "ops" here is the sandbox probe,
    /// hard-linked as `shadow-ops` next to hard links of the real master and workers: it confines
    /// itself and reports ready like the real one, then misbehaves.
    @Test func opsBreakingTheProtocolIsKilledAndRestarted() async throws {
        let build = BuildProducts.directory
        let bin = build + "/hostile-ops-\(getpid())"
        #expect(mkdir(bin, 0o755) == 0 || errno == EEXIST)
        defer {
            for name in ["shadow-master", "shadow-v4", "shadow-v6", "shadow-ops"] { unlink(bin + "/" + name) }
            rmdir(bin)
        }
        for (source, name) in [("shadow-master", "shadow-master"), ("shadow-v4", "shadow-v4"),
                               ("shadow-v6", "shadow-v6"), ("shadow-sandbox-probe", "shadow-ops")] {
            unlink(bin + "/" + name)
            try #require(link(try BuildProducts.executable(source), bin + "/" + name) == 0, "link \(source): \(errno)")
        }
        let directory = try ServerDirectory(reservations: Fixtures.reservations) { config in
            config.extra = [#""mgmt_socket": "\#(config.stateDir.dropLast("/state".count))/run/mgmt.sock""#]
        }
        let prober = WorkerRestartTests.Prober(relay4: try RelayV4(server: directory.v4Server),
                                               relay6: try RelayV6(server: directory.v6Server))
        try await withMaster(directory, executable: bin + "/shadow-master") { master in
            let (v4, v6) = try await master.waitUntilServing()
            try await master.waitForLine("the forged message refused") {
                $0.process == "master" && $0.level == "ERROR"
                    && $0.message.hasPrefix("ops process broke the IPC protocol: IPC message event is not allowed on ops->master")
            }
            try await master.waitForLine("the hostile ops killed") {
                $0.process == "master" && $0.message == "ops process exited" && $0["status"] == "killed by signal 9"
            }
            try await master.waitForLine("a new ops started") {
                $0.process == "master" && $0.message == "started ops process" && $0.workerGeneration == 2
            }
            #expect(master.servingWorker("v4") == v4 && master.servingWorker("v6") == v6)
            #expect(try prober.answered("v4", timeout: .seconds(2)))
            #expect(try prober.answered("v6", timeout: .seconds(2)))
        }
    }
}
