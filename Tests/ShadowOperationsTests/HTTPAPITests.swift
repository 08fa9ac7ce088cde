import NIOCore
import NIOPosix
import ShadowCore
import Testing
@testable import ShadowOperations

/// The HTTP API's framing, in process (the statuses of whole requests are tested through the
/// real master with curl, IntegrationTests/ManagementTLSTests).
struct HTTPAPITests {
    static func start(limits: ManagementServer.Limits = ManagementServer.Limits()) async throws
        -> (MultiThreadedEventLoopGroup, ManagementServer, Int) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let config = ManagementServer.Configuration(limits: limits, authorization: ManagementAuthorization())
            .withHTTP(ShadowCore.SocketAddress("127.0.0.1:0")!)
        let server = ManagementServer(configuration: config, backend: FakeBackend(), group: group,
                                      logger: Fixtures.logger)
        try await server.start()
        return (group, server, server.httpLocalAddress!.port!)
    }

    static func request(_ port: Int, _ text: String, shutdown: Bool = true) async throws -> String {
        let c = try RawConnection(port: port)
        #expect(c.send(text))
        if shutdown { c.shutdownWrite() }
        return await c.readAll()
    }

    @Test func aRequestIsAnsweredWithTheServicesJSONAndClosed() async throws {
        let (group, server, port) = try await Self.start()
        let body = #"{"command":"status"}"#
        let reply = try await Self.request(port, "POST /v1/command HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                                           + "\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body)
        #expect(reply.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(reply)")
        #expect(reply.lowercased().contains("content-type: application/json\r\n")
                && reply.lowercased().contains("connection: close\r\n"))
        #expect(reply.contains("\r\n\r\n" + #"{"success":true,"message":"Status OK","reservation_count":6,"snapshot_generation":"#)
                && reply.hasSuffix("}\n"),
                "\(reply)")
        // Malformed HTTP: the parser's 400, nothing handled.
        let garbage = try await Self.request(port, "NOT HTTP AT ALL\r\n\r\n")
        #expect(garbage.hasPrefix("HTTP/1.1 400"), "\(garbage)")
        await server.stop()
        try await group.shutdownGracefully()
    }

    @Test func anIncompleteRequestTimesOut() async throws {
        var limits = ManagementServer.Limits()
        limits.readTimeout = .milliseconds(300)
        let (group, server, port) = try await Self.start(limits: limits)
        let reply = try await Self.request(port, "POST /v1/command HTTP/1.1\r\nContent-Type: application/json\r\n"
                                           + "Content-Length: 100\r\n\r\n{\"comm", shutdown: false)
        #expect(reply.hasPrefix("HTTP/1.1 408") && reply.contains("no complete request within 0.3 s"), "\(reply)")
        await server.stop()
        try await group.shutdownGracefully()
    }

    /// The large-request gate of the line protocol, with the bearer token as the credential.
    @Test func aLargeBodyGoesOnOnlyForAnAuthorisedChange() async throws {
        var limits = ManagementServer.Limits()
        limits.largeRequestBytes = 2048
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let config = ManagementServer.Configuration(limits: limits, authorization: ManagementAuthorization(tokens: AuthTests.tokens))
            .withHTTP(ShadowCore.SocketAddress("127.0.0.1:0")!)
        let server = ManagementServer(configuration: config, backend: FakeBackend(), group: group, logger: Fixtures.logger)
        try await server.start()
        let port = server.httpLocalAddress!.port!
        func post(_ token: String?, _ command: String) async throws -> String {
            let body = #"{"command":"\#(command)","reservations":[""# + String(repeating: "x", count: 4000) + #""]}"#
            let auth = token.map { "Authorization: Bearer \($0)\r\n" } ?? ""
            return try await Self.request(port, "POST /v1/command HTTP/1.1\r\nContent-Type: application/json\r\n\(auth)"
                                          + "Content-Length: \(body.utf8.count)\r\n\r\n" + body)
        }
        let read = try await post(AuthTests.readToken, "replace")
        #expect(read.hasPrefix("HTTP/1.1 403") && read.contains("permission denied"), "\(read)")
        let anonymous = try await post(nil, "replace")
        #expect(anonymous.hasPrefix("HTTP/1.1 401"), "\(anonymous)")
        let status = try await post(AuthTests.adminToken, "status")
        #expect(status.hasPrefix("HTTP/1.1 400") && status.contains("only changes"), "\(status)")
        // Admitted: the body is read whole and handled (here: invalid reservations, a 400 from the service).
        let admin = try await post(AuthTests.adminToken, "replace")
        #expect(admin.hasPrefix("HTTP/1.1 400") && !admin.contains("only changes"), "\(admin)")
        // The slot is released once the response is written (just after the client saw the close).
        for _ in 0..<100 where server.largeRequestSlot.isHeld { try await Task.sleep(for: .milliseconds(10)) }
        #expect(!server.largeRequestSlot.isHeld)
        await server.stop()
        try await group.shutdownGracefully()
    }

    @Test func contentTypeIsJSONWithParameters() {
        #expect(ManagementHTTPHandler.isJSON("application/json"))
        #expect(ManagementHTTPHandler.isJSON("Application/JSON; charset=utf-8"))
        #expect(!ManagementHTTPHandler.isJSON("application/x-www-form-urlencoded"))
        #expect(!ManagementHTTPHandler.isJSON("text/json"))
    }
}
