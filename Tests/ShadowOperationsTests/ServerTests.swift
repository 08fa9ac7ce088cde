import Foundation
import NIOCore
import NIOPosix
import ShadowCore
import Testing
@testable import ShadowOperations

/// The management server over real sockets: TCP on 127.0.0.1 (ephemeral port) and a Unix socket.
@Suite struct ServerTests {
    static let requests: [(String, String)] = [
        (#"{"command":"status"}"#, #"{"success":true,"message":"Status OK","reservation_count":6,"snapshot_generation":1,"snapshot_digest":"0000000000000000","reservations":4,"index_keys":6}"#),
        (#"{"command":"reload"}"#, #"{"success":true,"message":"Reloaded 4 reservations","reservation_count":4}"#),
        (#"{"command":"replace","reservations":"# + Fixtures.reservationsJSON + "}",
         #"{"success":true,"message":"Replaced with 4 reservations","reservation_count":4}"#),
        (#"{"command":"workers"}"#, #"{"success":true,"message":"2 workers","workers":[{"protocol":"v4","#),
        (#"{"command":"stats"}"#, #"{"success":true,"message":"Statistics","v4":{"received":10,"#),
        (#"{"command":"lookup","mac":"00-11-22-33-44-55"}"#, #"{"success":true,"message":"Reservation found","#),
        (#"{"command":"bindings"}"#, #"{"success":true,"message":"0 bindings","binding_count":0}"#),
        (#"{"command":"version"}"#, #"{"success":true,"message":"shadowdhcp 0.3.0 (abcdef1)","#),
    ]

    @Test func everyCommandOverTCP() async throws {
        try await withServer { s in
            for (request, expected) in Self.requests {
                let response = try await s.send(request)
                #expect(response.hasPrefix(expected), "\(request)")
            }
            #expect(s.backend.replaceCallCount == 1)
            #expect(s.backend.reloadCallCount == 1)
        }
    }

    @Test func everyCommandOverTheUnixSocket() async throws {
        try await withServer(unixSocket: true) { s in
            var st = stat()
            #expect(lstat(s.socketPath, &st) == 0)
            #expect(st.st_mode & S_IFMT == S_IFSOCK)
            #expect(st.st_mode & 0o777 == 0o600)
            for (request, expected) in Self.requests {
                let response = try await s.send(request, .unix(s.socketPath))
                #expect(response.hasPrefix(expected), "\(request)")
            }
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: s.directory)
            #expect(leftovers == ["mgmt.sock"])
        }
    }

    @Test func staleSocketIsReplacedAndRemovedAtStop() async throws {
        let dir = TempDirectory.make()
        defer { TempDirectory.remove(dir) }
        let path = dir + "/mgmt.sock"
        // A stale socket file: bound once, never removed.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(stale)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = ManagementServer(configuration: .init(unixSocketPath: path), backend: FakeBackend(), group: group,
                                      logger: Fixtures.logger)
        try await server.start()
        let response = try await ManagementClient(endpoint: .unix(path), group: group).send(#"{"command":"status"}"#)
        #expect(response.hasPrefix(#"{"success":true"#))
        await server.stop()
        #expect(access(path, F_OK) != 0)
        try await group.shutdownGracefully()
    }

    @Test func refusesARegularFileAtTheSocketPathAndNonLoopbackTCP() async throws {
        let dir = TempDirectory.make()
        defer { TempDirectory.remove(dir) }
        let path = dir + "/mgmt.sock"
        _ = FileManager.default.createFile(atPath: path, contents: Data("keep".utf8))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let unix = ManagementServer(configuration: .init(unixSocketPath: path), backend: FakeBackend(), group: group,
                                    logger: Fixtures.logger)
        #expect(await startFails(unix))
        #expect(FileManager.default.contents(atPath: path) == Data("keep".utf8))
        let tcp = ManagementServer(configuration: .init(tcpAddress: ShadowCore.SocketAddress("0.0.0.0:0")!),
                                   backend: FakeBackend(), group: group, logger: Fixtures.logger)
        #expect(await startFails(tcp))
        try await group.shutdownGracefully()
    }

    @Test func malformedAndUnknownGetAnErrorAndServiceGoesOn() async throws {
        try await withServer { s in
            #expect(await s.reply("not json").hasPrefix(#"{"success":false,"error":"Invalid request: line 1, column 1: "#))
            #expect(await s.reply(#"{"command":"nope"}"#).hasPrefix(#"{"success":false,"error":"Invalid request: unknown command `nope`"#))
            #expect(await s.reply(#"{"command":"replace"}"#)
                    == #"{"success":false,"error":"Invalid request: missing field `reservations`"}"#)
            #expect(await s.reply(#"{"command":"status"}"#).hasPrefix(#"{"success":true"#))
        }
    }

    @Test func oversizeRequestIsRefusedBeforeItEnds() async throws {
        var limits = ManagementServer.Limits()
        limits.maxRequestBytes = 1000
        try await withServer(limits: limits) { s in
            let c = try RawConnection(port: s.port)
            c.send(#"{"command":"replace","reservations":["# + String(repeating: " ", count: 5000))
            #expect(await c.readAll() == #"{"success":false,"error":"Invalid request: request larger than 1000 bytes"}"# + "\n")
            #expect(s.backend.replaceCallCount == 0)
            #expect(await s.reply(#"{"command":"status"}"#).hasPrefix(#"{"success":true"#))
        }
    }

    @Test func slowClientTimesOutWhileOthersAreServed() async throws {
        var limits = ManagementServer.Limits()
        limits.readTimeout = .seconds(2)
        try await withServer(limits: limits) { s in
            let slow = try RawConnection(port: s.port)
            slow.send(#"{"command":"sta"#)
            // Others are served while the slow one waits.
            #expect(await s.reply(#"{"command":"status"}"#).hasPrefix(#"{"success":true"#))
            #expect(await slow.readAll()
                    == #"{"success":false,"error":"Invalid request: no complete request line within 2 s"}"# + "\n")
        }
    }

    @Test func bytesThatKeepFlowingKeepTheTimerAlive() async throws {
        var limits = ManagementServer.Limits()
        limits.readTimeout = .seconds(1)
        try await withServer(limits: limits) { s in
            let c = try RawConnection(port: s.port)
            let request = Array(#"{"command":"replace","reservations":"#.utf8) + Array(Fixtures.reservationsJSON.utf8) + Array("}\n".utf8)
            // 2.5 s in all (more than the read timeout), never more than 250 ms without a byte.
            for chunk in stride(from: 0, to: request.count, by: request.count / 10 + 1) {
                c.send(Array(request[chunk..<min(chunk + request.count / 10 + 1, request.count)]))
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(await c.readAll().hasPrefix(#"{"success":true,"message":"Replaced with 4 reservations""#))
        }
    }

    @Test func overallDeadlineStopsATrickle() async throws {
        var limits = ManagementServer.Limits()
        limits.readTimeout = .seconds(1)
        limits.requestDeadline = .milliseconds(1500)
        try await withServer(limits: limits) { s in
            let c = try RawConnection(port: s.port)
            for _ in 0..<10 {
                c.send(" ")
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(await c.readAll().contains("request not complete within 1.5 s"))
        }
    }

    @Test func requestWithoutNewlineAtEndOfInputIsAnswered() async throws {
        try await withServer { s in
            let c = try RawConnection(port: s.port)
            c.send(#"{"command":"status"}"#)
            c.shutdownWrite()
            #expect(await c.readAll() == #"{"success":true,"message":"Status OK","reservation_count":6,"snapshot_generation":1,"snapshot_digest":"0000000000000000","reservations":4,"index_keys":6}"# + "\n")
            // Connecting and closing without a byte: no response, nothing logged as a request.
            let quiet = try RawConnection(port: s.port)
            quiet.shutdownWrite()
            #expect(await quiet.readAll() == "")
        }
    }

    @Test func clientDisconnectingMidReplaceChangesNothing() async throws {
        try await withServer { s in
            do {
                let c = try RawConnection(port: s.port)
                c.send(#"{"command":"replace","reservations":[{"ipv4":"198.51.100.10","#)
                c.shutdownWrite()
                #expect(await c.readAll().hasPrefix(#"{"success":false,"error":"Invalid request: "#))
            }
            do {
                let gone = try RawConnection(port: s.port)
                gone.send(#"{"command":"replace","reservations":[{"#)
            } // closed here, mid-request
            try await Task.sleep(for: .milliseconds(100))
            #expect(s.backend.replaceCallCount == 0)
            #expect(await s.reply(#"{"command":"status"}"#).hasPrefix(#"{"success":true"#))
        }
    }

    @Test func onlyTheFirstLineIsARequest() async throws {
        try await withServer { s in
            let c = try RawConnection(port: s.port)
            c.send(#"{"command":"status"}"# + "\n" + #"{"command":"reload"}"# + "\n")
            #expect(await c.readAll() == #"{"success":true,"message":"Status OK","reservation_count":6,"snapshot_generation":1,"snapshot_digest":"0000000000000000","reservations":4,"index_keys":6}"# + "\n")
            #expect(s.backend.reloadCallCount == 0)
        }
    }

    func startFails(_ server: ManagementServer) async -> Bool {
        do {
            try await server.start()
            await server.stop()
            return false
        } catch {
            return true
        }
    }

    @Test func concurrentClients() async throws {
        let backend = FakeBackend()
        backend.state.withLock { $0.replaceDelay = .milliseconds(200) }
        try await withServer(backend: backend) { s in
            let slow = try RawConnection(port: s.port) // holds a connection open meanwhile
            slow.send("{")
            try await withThrowingTaskGroup(of: String.self) { group in
                group.addTask { try await s.send(#"{"command":"replace","reservations":[]}"#) }
                for _ in 0..<30 { group.addTask { try await s.send(#"{"command":"status"}"#) } }
                var ok = 0
                for try await r in group where r.hasPrefix(#"{"success":true"#) { ok += 1 }
                #expect(ok == 31)
            }
        }
    }

    @Test func connectionsBeyondTheLimitAreRefused() async throws {
        var limits = ManagementServer.Limits()
        limits.maxConnections = 2
        try await withServer(limits: limits) { s in
            let a = try RawConnection(port: s.port)
            let b = try RawConnection(port: s.port)
            a.send("{"); b.send("{")
            try await Task.sleep(for: .milliseconds(100))
            let third = try await s.send(#"{"command":"status"}"#)
            #expect(third == #"{"success":false,"error":"Invalid request: too many management connections (at most 2)"}"#)
        }
    }
}
