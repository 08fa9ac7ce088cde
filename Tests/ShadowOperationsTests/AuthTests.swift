import Logging
import NIOCore
import ShadowCore
import Synchronization
import Testing
@testable import ShadowOperations

/// Tokens, roles, identities by transport, the failure throttle and the audit.
struct AuthTests {
    static let adminToken = String(repeating: "a1", count: 32)
    static let readToken = String(repeating: "r2", count: 32)
    static let tokens = TokenTable(entries: [
        TokenTable.Entry(name: "billing", role: .admin, sha256: TokenDigest.sha256(adminToken)),
        TokenTable.Entry(name: "grafana", role: .read, sha256: TokenDigest.sha256(readToken)),
    ])
    static let group = ResolvedGroup(name: "shadowadm", gid: 4242, memberUIDs: [1000])

    static func user(_ uid: UInt32, gid: UInt32 = 100) -> ManagementPeer {
        .unix(PeerCredentials(pid: 77, uid: uid, gid: gid))
    }

    // MARK: Hashing

    @Test func sha256OfAKnownToken() {
        // sha256("abc"), FIPS 180-2 appendix B.1.
        #expect(TokenDigest.hex(TokenDigest.sha256("abc"))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(TokenDigest.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!TokenDigest.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!TokenDigest.constantTimeEqual([1, 2, 3], [1, 2]))
        #expect(TokenDigest.match(Self.adminToken, in: Self.tokens)?.name == "billing")
        #expect(TokenDigest.match(Self.readToken, in: Self.tokens)?.name == "grafana")
        #expect(TokenDigest.match(Self.readToken + "x", in: Self.tokens) == nil)
    }

    @Test func newTokensAreRandomHexAndTheirEntryLoads() throws {
        let a = TokenDigest.newToken(), b = TokenDigest.newToken()
        #expect(a.count == 64 && a != b && a.allSatisfy { $0.isHexDigit })
        let entry = TokenDigest.entryJSON(name: "billing", role: .admin, token: a)
        let table = try ConfigurationLoader.loadTokens(Array(#"{"tokens": [\#(entry)]}"#.utf8))
        #expect(TokenDigest.match(a, in: table)?.role == .admin)
    }

    // MARK: Client certificates

    /// A verified certificate's CN is the identity; its role comes from client_roles; a CN not
    /// listed is a failed authentication; a token may raise the role, never lower it.
    @Test func aCertificateCNIsMappedToItsRole() {
        let auth = ManagementAuthorization(tokens: Self.tokens, clientRoles: ["billing": .admin, "grafana": .read])
        func peer(_ cn: String, _ transport: ManagementPeer.Transport = .https) -> ManagementPeer {
            ManagementPeer(transport: transport, address: "192.0.2.7:4000", certificateCN: cn)
        }
        guard case .success(let billing) = auth.decide(peer: peer("billing"), command: "replace", token: nil) else {
            Issue.record("billing may replace"); return
        }
        #expect(billing.description == "cert:billing" && billing.role == .admin)
        guard case .failure(let denied) = auth.decide(peer: peer("grafana", .tls), command: "replace", token: nil) else {
            Issue.record("grafana may not replace"); return
        }
        #expect(!denied.failedAuthentication
                && denied.message == "permission denied: `replace` needs role admin, cert:grafana has role read")
        guard case .success(let raised) = auth.decide(peer: peer("grafana"), command: "replace", token: Self.adminToken)
        else { Issue.record("an admin token raises grafana"); return }
        #expect(raised.role == .admin && raised.description == "cert:grafana, token billing")
        guard case .failure(let stranger) = auth.decide(peer: peer("stranger"), command: "status", token: Self.adminToken)
        else { Issue.record("stranger is refused"); return }
        #expect(stranger.failedAuthentication
                && stranger.message == #"authentication failed: certificate CN "stranger" is not in mgmt_tls.client_roles"#)
        // Without a certificate, HTTP follows the TCP rules.
        let http = ManagementPeer(transport: .http, address: "127.0.0.1:4000")
        guard case .failure(let anonymous) = auth.decide(peer: http, command: "status", token: nil) else {
            Issue.record("HTTP without a token is refused"); return
        }
        #expect(anonymous.failedAuthentication)
        #expect(http.throttleKey == "127.0.0.1" && peer("x").description == "https 192.0.2.7:4000 cert:x")
    }

    // MARK: The role table

    static let everyCommand = (CommandPermissions.readCommands.union(CommandPermissions.adminCommands)).sorted()

    @Test(arguments: everyCommand, ManagementRole.allCases)
    func roleTable(_ command: String, _ role: ManagementRole) {
        let isChange = ["reload", "replace", "reservation-add", "reservation-update", "reservation-delete",
                        "reservation-changes"].contains(command)
        let expected = role == .admin || !isChange
        let token = role == .admin ? Self.adminToken : Self.readToken
        let auth = ManagementAuthorization(tokens: Self.tokens)
        let decision = auth.decide(peer: .tcp("127.0.0.1:5000"), command: command, token: token)
        switch decision {
        case .success(let identity):
            #expect(expected, "\(command) as \(role)")
            #expect(identity.role == role && identity.tokenName == (role == .admin ? "billing" : "grafana"))
        case .failure(let refusal):
            #expect(!expected, "\(command) as \(role)")
            #expect(refusal.message == "permission denied: `\(command)` needs role admin, token grafana has role read")
            #expect(!refusal.failedAuthentication)
        }
    }

    @Test func everyCommandOfThisServerIsInTheTable() {
        for c in ManagementRequest.commandNames {
            #expect(CommandPermissions.readCommands.contains(c) || CommandPermissions.adminCommands.contains(c), "\(c)")
        }
        #expect(CommandPermissions.requiredRole(for: "no-such") == .read)
        #expect(CommandPermissions.label(for: "no-such") == "unknown")
    }

    // MARK: Identity by transport

    @Test func unixSocket() {
        let auth = ManagementAuthorization(tokens: Self.tokens, unixGroup: Self.group, unixGroupRole: .read)
        func role(_ peer: ManagementPeer, _ command: String, _ token: String? = nil) -> String {
            switch auth.decide(peer: peer, command: command, token: token) {
            case .success(let i): "\(i.role.rawValue) \(i)"
            case .failure(let r): r.message
            }
        }
        #expect(role(Self.user(0), "replace") == "admin uid 0 pid 77")
        #expect(role(Self.user(1000), "status") == "read uid 1000 pid 77")
        #expect(role(Self.user(2000, gid: 4242), "status") == "read uid 2000 pid 77")
        #expect(role(Self.user(1000), "replace") == "permission denied: `replace` needs role admin, uid 1000 pid 77 has role read")
        #expect(role(Self.user(1000), "replace", Self.adminToken) == "admin token billing, uid 1000 pid 77")
        #expect(role(Self.user(2000), "status") == "authentication failed: uid 2000 is neither root nor a member of mgmt_auth.unix_group")
        #expect(role(Self.user(2000), "status", Self.adminToken) == "authentication failed: uid 2000 is neither root nor a member of mgmt_auth.unix_group")
        #expect(role(Self.user(1000), "status", Self.readToken + "0") == "authentication failed: unknown token")
        #expect(role(.unix(nil), "status") == "authentication failed: cannot identify the peer of the Unix socket")
        // A group role of admin; a read token does not lower it.
        let admins = ManagementAuthorization(unixGroup: Self.group, unixGroupRole: .admin)
        if case .success(let i) = admins.decide(peer: Self.user(1000), command: "reload", token: nil) {
            #expect(i.role == .admin)
        } else {
            Issue.record("group admin refused")
        }
    }

    @Test func tcp() {
        let peer = ManagementPeer.tcp("127.0.0.1:40000")
        func outcome(_ auth: ManagementAuthorization, _ command: String, _ token: String? = nil) -> String {
            switch auth.decide(peer: peer, command: command, token: token) {
            case .success(let i): "\(i.role.rawValue) \(i)"
            case .failure(let r): "\(r.failedAuthentication ? "unauthenticated" : "denied"): \(r.message)"
            }
        }
        let withTokens = ManagementAuthorization(tokens: Self.tokens)
        #expect(outcome(withTokens, "status") == "unauthenticated: authentication required: this server needs a token (shadowctl --token-file)")
        #expect(outcome(withTokens, "status", Self.readToken) == "read token grafana")
        #expect(outcome(withTokens, "replace", Self.adminToken) == "admin token billing")
        #expect(outcome(withTokens, "replace", "0123456789abcdef") == "unauthenticated: authentication failed: unknown token")
        let open = ManagementAuthorization()
        #expect(outcome(open, "status") == "read anonymous")
        #expect(outcome(open, "replace") == "denied: authentication required: set mgmt_auth.tokens_file")
        #expect(outcome(open, "status", Self.readToken) == "unauthenticated: authentication failed: this server has no tokens (mgmt_auth.tokens_file is not set)")
        #expect(outcome(ManagementAuthorization(tcpInsecureWrites: true), "replace") == "admin anonymous")
        #expect(peer.throttleKey == "127.0.0.1")
        #expect(ManagementPeer.tcp("[::1]:5").throttleKey == "[::1]")
    }

    // MARK: Requests

    /// A service with tokens over TCP, and its audit log and events.
    static func service(_ backend: FakeBackend, auth: ManagementAuthorization = ManagementAuthorization(tokens: tokens))
        -> (ManagementService, LogCapture.Store, EventLines) {
        let (logger, store) = LogCapture.logger()
        let events = EventLines()
        let audit = ManagementAudit(logger: logger, events: { line in events.value.withLock { $0.append(line) } },
                                    clock: { 1.5 })
        return (ManagementService(backend: backend, authorization: auth, audit: audit), store, events)
    }

    static let replace = #"{"command":"replace","reservations":[{"ipv4":"198.51.100.20","ipv6_na":"2001:db8:1::20","ipv6_pd":"2001:db8:2000::/56","mac":"00-11-22-33-44-55"}]}"#

    static func withToken(_ token: String, _ request: String) -> [UInt8] {
        ManagementClient.addingToken(token, to: Array(request.utf8))
    }

    @Test(arguments: [
        (#"{"command":"replace","token":7,"reservations":[]}"#, "Invalid request: `token` must be a string, got a number"),
        (#"{"command":"replace","token":"short","reservations":[]}"#, "Invalid request: `token` must be 16 to 256 characters, got 5"),
        (#"{"command":"replace","token":"\#(String(repeating: "x", count: 257))","reservations":[]}"#,
         "Invalid request: `token` must be 16 to 256 characters, got 257"),
        (#"{"command":"replace","token":null,"reservations":[]}"#, "Invalid request: `token` must be a string, got null"),
    ])
    func malformedTokenIsAPreciseErrorAndNothingIsApplied(_ request: String, _ error: String) async {
        let backend = FakeBackend()
        let (service, _, events) = Self.service(backend)
        let response = await service.handle(Array(request.utf8), peer: .tcp("127.0.0.1:1"))
        #expect(response.json == #"{"success":false,"error":"\#(error)"}"#)
        #expect(backend.replaceCallCount == 0)
        #expect(events.all.first?.contains(#""result":"unauthenticated""#) == true)
    }

    @Test func replaceOverTCPNeedsAnAdminToken() async {
        let backend = FakeBackend()
        let (service, store, events) = Self.service(backend)
        let peer = ManagementPeer.tcp("127.0.0.1:4000")
        #expect(await service.handle(Array(Self.replace.utf8), peer: peer).json
                == #"{"success":false,"error":"authentication required: this server needs a token (shadowctl --token-file)"}"#)
        #expect(await service.handle(Self.withToken(Self.readToken, Self.replace), peer: peer).json
                == #"{"success":false,"error":"permission denied: `replace` needs role admin, token grafana has role read"}"#)
        #expect(backend.replaceCallCount == 0)
        #expect(await service.handle(Self.withToken(Self.adminToken, Self.replace), peer: peer).json
                == #"{"success":true,"message":"Replaced with 1 reservations","reservation_count":1}"#)
        #expect(backend.replaceCallCount == 1)

        // The audit: one line per request, the change with its generations.
        let lines = store.allMetadata
        #expect(lines.count == 3)
        #expect(lines.map { $0["mgmt.result"]?.description } == ["unauthenticated", "denied", "ok"])
        #expect(lines[2]["mgmt.identity"]?.description == "token billing")
        #expect(lines[2]["mgmt.transport"]?.description == "tcp" && lines[2]["mgmt.peer"]?.description == "127.0.0.1:4000")
        #expect(lines[2]["mgmt.command"]?.description == "replace")
        #expect(lines[2]["snapshot.generation.before"]?.description == "1")
        #expect(lines[2]["snapshot.generation.after"]?.description == "2")
        let event = events.all[2]
        #expect(event == #"{"event_type":"management","timestamp_ms":1500,"identity":"token billing","token_name":"billing","uid":null,"pid":null,"role":"admin","transport":"tcp","peer":"127.0.0.1:4000","command":"replace","result":"ok","error":null,"generation_before":1,"digest_before":"-","generation_after":2,"digest_after":"-"}"#)
        let counts = service.audit.requestCounts.map { "\($0.key.command) \($0.key.role) \($0.key.result) \($0.value)" }
        #expect(counts == ["replace admin ok 1", "replace none unauthenticated 1", "replace read denied 1"])
    }

    @Test func withoutTokensReadsWorkOverTCPAndChangesAreRefused() async {
        let backend = FakeBackend()
        let (service, _, _) = Self.service(backend, auth: ManagementAuthorization())
        let peer = ManagementPeer.tcp("127.0.0.1:4000")
        #expect(await service.handle(Array(#"{"command":"status"}"#.utf8), peer: peer).success)
        #expect(await service.handle(Array(Self.replace.utf8), peer: peer).json
                == #"{"success":false,"error":"authentication required: set mgmt_auth.tokens_file"}"#)
        #expect(await service.handle(Array(#"{"command":"reload"}"#.utf8), peer: peer).json
                == #"{"success":false,"error":"authentication required: set mgmt_auth.tokens_file"}"#)
        #expect(backend.replaceCallCount == 0 && backend.reloadCallCount == 0)
        let (insecure, _, _) = Self.service(backend, auth: ManagementAuthorization(tcpInsecureWrites: true))
        #expect(await insecure.handle(Array(Self.replace.utf8), peer: peer).success)
    }

    // MARK: Throttle

    @Test func throttleAfterTenFailuresWithinAMinute() {
        let throttle = AuthFailureThrottle()
        let t0 = ContinuousClock.now
        for i in 0..<9 { throttle.recordFailure("192.0.2.1", now: t0 + .seconds(i)) }
        #expect(throttle.wait(for: "192.0.2.1", now: t0 + .seconds(9)) == nil)
        throttle.recordFailure("192.0.2.1", now: t0 + .seconds(9))
        #expect(throttle.wait(for: "192.0.2.1", now: t0 + .seconds(10)) == .seconds(1))
        #expect(throttle.wait(for: "192.0.2.2", now: t0 + .seconds(10)) == nil)
        // The oldest of the last ten is more than 60 s old: no more waiting.
        #expect(throttle.wait(for: "192.0.2.1", now: t0 + .seconds(61)) == nil)
        // Ten failures spread over more than a minute never throttle.
        for i in 0..<10 { throttle.recordFailure("192.0.2.3", now: t0 + .seconds(7 * i)) }
        #expect(throttle.wait(for: "192.0.2.3", now: t0 + .seconds(63)) == nil)
    }

    @Test func throttleTableIsBoundedAndForgetsTheOldest() {
        let throttle = AuthFailureThrottle(capacity: 3)
        let t0 = ContinuousClock.now
        for (i, peer) in ["a", "b", "c", "d"].enumerated() {
            for _ in 0..<10 { throttle.recordFailure(peer, now: t0 + .seconds(i)) }
        }
        #expect(throttle.trackedPeers == 3)
        #expect(throttle.wait(for: "a", now: t0 + .seconds(5)) == nil)
        #expect(throttle.wait(for: "d", now: t0 + .seconds(5)) == .seconds(1))
    }

    @Test func aThrottledPeerWaitsAndOthersDoNot() async {
        let backend = FakeBackend()
        let throttle = AuthFailureThrottle(threshold: 2, delay: .milliseconds(500))
        let service = ManagementService(backend: backend, authorization: ManagementAuthorization(tokens: Self.tokens),
                                        throttle: throttle)
        let bad = ManagementPeer.tcp("192.0.2.9:1")
        for _ in 0..<2 { _ = await service.handle(Array(#"{"command":"status"}"#.utf8), peer: bad) }
        let clock = ContinuousClock()
        let slow = await clock.measure { _ = await service.handle(Self.withToken(Self.readToken, #"{"command":"status"}"#), peer: bad) }
        let fast = await clock.measure {
            _ = await service.handle(Self.withToken(Self.readToken, #"{"command":"status"}"#), peer: .tcp("192.0.2.10:1"))
        }
        #expect(slow >= .milliseconds(500) && fast < .milliseconds(400), "\(slow) \(fast)")
    }

    // MARK: Over the wire

    @Test func largeRequestsNeedAnAuthorisedChangeAndGoOneAtATime() async throws {
        var limits = ManagementServer.Limits()
        limits.largeRequestBytes = 4096
        let entries = (0..<100).map { i in
            #"{"ipv4":"198.51.100.\#(i + 20)","ipv6_na":"2001:db8:1::\#(i + 20)","ipv6_pd":"2001:db8:\#(i + 1000)::/56","mac":"00-11-22-33-44-\#(String(format2(i)))"}"#
        }
        let big = #"{"command":"replace","reservations":[\#(entries.joined(separator: ","))]}"#
        #expect(big.utf8.count > 4096)
        try await withServer(limits: limits, authorization: ManagementAuthorization(tokens: Self.tokens)) { s in
            // Without a token: refused as soon as it passes the threshold; nothing applied.
            #expect(await s.reply(big) == #"{"success":false,"error":"authentication required: this server needs a token (shadowctl --token-file)"}"#)
            // A token after the reservations does not count for a large request.
            let late = String(big.dropLast()) + #","token":"\#(Self.adminToken)"}"#
            #expect(await s.reply(late) == #"{"success":false,"error":"authentication required: this server needs a token (shadowctl --token-file)"}"#)
            // A read command may not be large.
            let padded = #"{"command":"status","token":"\#(Self.readToken)","pad":"\#(String(repeating: "x", count: 5000))"}"#
            let reply = await s.reply(padded)
            #expect(reply.contains("only changes"), "\(reply)")
            #expect(s.backend.replaceCallCount == 0)
            // With the admin token first: accepted.
            let line = String(decoding: Self.withToken(Self.adminToken, big), as: UTF8.self)
            #expect(await s.reply(line) == #"{"success":true,"message":"Replaced with 100 reservations","reservation_count":100}"#)
            // While one large request holds the slot, a second is refused at once.
            #expect(await eventually { s.server.largeRequestSlot.tryAcquire() })
            #expect(await s.reply(line).contains("busy: another large request"))
            s.server.largeRequestSlot.release()
            #expect(await s.reply(line).contains(#""success":true"#))
            #expect(await eventually { !s.server.largeRequestSlot.isHeld })
        }
    }

    func format2(_ i: Int) -> String { i < 10 ? "0\(i)" : "\(i)" }

    @Test func theUnixSocketHasReservedConnections() async throws {
        var limits = ManagementServer.Limits()
        limits.maxConnections = 4
        limits.reservedUnixConnections = 2
        try await withServer(unixSocket: true, limits: limits) { s in
            // Two idle TCP connections take the TCP share; a third TCP client is refused, the socket is not.
            let a = try RawConnection(port: s.port), b = try RawConnection(port: s.port)
            try await Task.sleep(for: .milliseconds(100))
            #expect(await s.reply(#"{"command":"status"}"#).contains("too many management connections"))
            #expect(await s.reply(#"{"command":"status"}"#, .unix(s.socketPath)).contains(#""success":true"#))
            withExtendedLifetime((a, b)) {}
        }
    }

    @Test func metricsCountRequests() async throws {
        let backend = FakeBackend()
        let (service, _, _) = Self.service(backend)
        _ = await service.handle(Array(#"{"command":"status"}"#.utf8), peer: .tcp("127.0.0.1:1"))
        _ = await service.handle(Self.withToken(Self.readToken, #"{"command":"status"}"#), peer: .tcp("127.0.0.1:1"))
        let source = BackendMetricsSource(backend: backend, audit: service.audit, clock: { 2_000 })
        let text = PrometheusExposition.render(await source.metricsReport())
        #expect(text.contains(#"shadowdhcp_mgmt_requests_total{command="status",role="none",result="unauthenticated"} 1"#), "\(text)")
        #expect(text.contains(#"shadowdhcp_mgmt_requests_total{command="status",role="read",result="ok"} 1"#))
    }
}

/// The audit events a test collected.
final class EventLines: Sendable {
    let value = Mutex<[String]>([])
    var all: [String] { value.withLock { $0 } }
}
