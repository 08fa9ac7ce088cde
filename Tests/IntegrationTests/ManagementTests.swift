import DHCPv4
import Foundation
import Glibc
import ShadowCore
import ShadowTesting
import Synchronization
import Testing

/// Management, events and metrics against the real master (the operations components are also
/// tested against a fake backend in ShadowOperationsTests; these check the wiring, as root, with
/// the master's dropped capabilities).
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct ManagementTests {
    /// One request line over a Unix socket; the response line.
    static func request(_ socketPath: String, _ line: String) throws -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in socketPath.utf8.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(connected == 0, "connect \(socketPath): errno \(errno)")
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        return String(decoding: readAll(fd), as: UTF8.self)
    }

    static func readAll(_ fd: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return out }
            out += chunk[0..<n]
        }
    }

    /// A free TCP port on 127.0.0.1 (bound and released; the tests use it right away).
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: 0,
                            sin_addr: in_addr(s_addr: UInt32(0x7F00_0001).bigEndian), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return UInt16(bigEndian: a.sin_port)
    }

    /// Collects what one TCP client writes to 127.0.0.1:`port` (the analytics collector).
    final class Collector: Sendable {
        final class Bytes: Sendable { let value = Mutex<[UInt8]>([]) }
        let received = Bytes()
        let listener: Int32

        init(port: UInt16) throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            listener = fd
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, 4)
            var a = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: port.bigEndian,
                                sin_addr: in_addr(s_addr: UInt32(0x7F00_0001).bigEndian), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
            let bound = withUnsafePointer(to: &a) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            try #require(bound == 0 && listen(fd, 4) == 0)
            let received = self.received
            Thread {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 30_000) > 0 else { return }
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                var chunk = [UInt8](repeating: 0, count: 65536)
                var q = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
                while poll(&q, 1, 30_000) > 0 {
                    let n = chunk.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
                    if n <= 0 { break }
                    received.value.withLock { $0 += chunk[0..<n] }
                }
                close(client)
            }.start()
        }

        var lines: [String] {
            received.value.withLock { String(decoding: $0, as: UTF8.self) }.split(separator: "\n").map(String.init)
        }

        deinit { close(listener) }
    }

    static func httpGet(port: UInt16, path: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: port.bigEndian,
                            sin_addr: in_addr(s_addr: UInt32(0x7F00_0001).bigEndian), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        let connected = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        return String(decoding: readAll(fd), as: UTF8.self)
    }

    @Test func replaceStatusEventsAndMetricsThroughTheRealMaster() async throws {
        let eventsPort = try Self.freePort()
        let metricsPort = try Self.freePort()
        let collector = try Collector(port: eventsPort)
        let directory = try ServerDirectory(reservations: [ReloadTests.subscriber(10)]) { config in
            config.extra = [#""mgmt_socket": "\#(config.stateDir.dropLast("/state".count))/mgmt.sock""#,
                            #""events": {"tcp": "127.0.0.1:\#(eventsPort)"}"#,
                            #""metrics_address": "127.0.0.1:\#(metricsPort)""#]
        }
        let socketPath = directory.file("mgmt.sock")
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            #expect(try ReloadTests.ask(relay4, relay6) == ReloadTests.answers(10))
            var mode = stat()
            #expect(stat(socketPath, &mode) == 0 && mode.st_mode & 0o777 == 0o600)

            // status: upstream's fields first, then generation and digest; the subscriber has a MAC and a DUID key.
            #expect(try Self.request(socketPath, #"{"command":"status"}"#)
                .hasPrefix(#"{"success":true,"message":"Status OK","reservation_count":2,"snapshot_generation":1,"snapshot_digest":""#))

            // An invalid replace changes nothing: file byte for byte, answers, generation.
            let before = try Data(contentsOf: URL(fileURLWithPath: directory.file("reservations.json")))
            let invalid = #"{"command":"replace","reservations":[{"ipv4":"198.51.100.20","ipv6_na":"2001:db8:1::20","ipv6_pd":"2001:db8:2000::/56","mac":"00-11-22-33-44-55"},{"ipv4":"198.51.100.21","ipv6_na":"2001:db8:1::21","ipv6_pd":"2001:db8:2100::/56","mac":"00-11-22-33-44-55"}]}"#
            let refused = try Self.request(socketPath, invalid)
            #expect(refused.hasPrefix(#"{"success":false,"error":"Invalid request: "#), "\(refused)")
            #expect(refused.contains("replace.reservations[1].mac"), "\(refused)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: directory.file("reservations.json"))) == before)
            #expect(try ReloadTests.ask(relay4, relay6) == ReloadTests.answers(10))

            // A valid replace: answered once persisted (live in both workers first: ReplaceTests).
            let mark = master.lines.count
            let valid = #"{"command":"replace","reservations":[{"ipv4":"198.51.100.20","ipv6_na":"2001:db8:1::20","ipv6_pd":"2001:db8:2000::/56","mac":"00-11-22-33-44-55","duid":"00:03:00:01:00:11:22:33:44:55"}]}"#
            #expect(try Self.request(socketPath, valid)
                    == #"{"success":true,"message":"Replaced with 1 reservations","reservation_count":1}"# + "\n")
            let persisted = try String(contentsOfFile: directory.file("reservations.json"), encoding: .utf8)
            #expect(persisted.contains(#""ipv4": "198.51.100.20""#), "\(persisted)")
            try await ReloadTests.waitForSnapshot(2, master, after: mark)
            #expect(try ReloadTests.ask(relay4, relay6) == ReloadTests.answers(20))

            // workers: the audit as the master sees it.
            let workers = try Self.request(socketPath, #"{"command":"workers"}"#)
            #expect(workers.contains(#""seccomp_mode":2"#) && workers.contains(#""no_new_privs":true"#), "\(workers)")
            #expect(!workers.contains(#""uid":0,"#), "\(workers)")

            // Events reach the collector (batches of 256 or 3 s) with the seed's timestamp key.
            let events = try await eventually(timeout: .seconds(10), "events at the collector") {
                collector.lines.count >= 4 ? collector.lines : nil
            }
            #expect(events.contains { $0.hasPrefix(#"{"ip_version":"v4","timestamp_ms":"#) && $0.contains(#""reservation_ipv4":"198.51.100.10""#) })
            #expect(events.contains { $0.hasPrefix(#"{"ip_version":"v6","timestamp_ms":"#) && $0.contains(#""reservation_ipv6_na":"2001:db8:1::20""#) })

            // /metrics: Prometheus text with the live generation and the workers' counters.
            let metrics = try await eventually(timeout: .seconds(5), "counters in /metrics") {
                let text = try Self.httpGet(port: metricsPort, path: "/metrics")
                return text.contains(#"shadowdhcp_received_total{protocol="v4"}"#) ? text : nil
            }
            #expect(metrics.hasPrefix("HTTP/1.1 200") || metrics.hasPrefix("HTTP/1.0 200"), "\(metrics.prefix(80))")
            #expect(metrics.contains("shadowdhcp_snapshot_generation 2"))
            #expect(metrics.contains("shadowdhcp_reservations 1"))
        }
    }
}
