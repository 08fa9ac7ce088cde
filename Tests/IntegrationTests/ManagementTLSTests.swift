import Foundation
import Glibc
import ShadowCore
import ShadowTesting
import Testing

/// TLS (`mgmt_tls`) on the line protocol and the HTTP API (`mgmt_http_address`), through the real
/// master and `shadow-ops`, with independent clients: curl, openssl s_client, shadowctl.
/// Certificates are made at test time with openssl.
@Suite(.needsRoot, .timeLimit(.minutes(3)), .serialized)
struct ManagementTLSTests {
    typealias Auth = ManagementAuthTests

    /// A CA, a server certificate for IP 127.0.0.1, client certificates `billing` and `stranger`,
    /// and a key that belongs to none of them, in `directory`.
    static func makeCertificates(in directory: String) throws {
        let script = """
            set -e
            cd '\(directory)'
            ec='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes'
            openssl req -x509 $ec -days 1 -subj /CN=test-ca -keyout ca.key -out ca.pem \
                -addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign 2>/dev/null
            sign() {
                openssl req $ec -subj /CN=$1 -keyout $1.key -out $1.csr 2>/dev/null
                printf '%s\\n' "$2" > $1.ext
                openssl x509 -req -in $1.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 \
                    -extfile $1.ext -out $1.pem 2>/dev/null
            }
            sign server 'subjectAltName=IP:127.0.0.1'
            sign billing 'extendedKeyUsage=clientAuth'
            sign stranger 'extendedKeyUsage=clientAuth'
            openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:prime256v1 -out other.key 2>/dev/null
            chmod 600 *.key
            """
        let r = Auth.run("/bin/sh", ["-c", script])
        try #require(r.status == 0, "openssl: \(r.stderr)")
    }

    /// curl's status code and body.
    static func curl(_ arguments: [String]) -> (code: String, body: String) {
        let r = Auth.run("/usr/bin/curl", ["-s", "-o", "-", "-w", "\n%{http_code}", "--max-time", "10"] + arguments)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (String(lines.last ?? ""), lines.dropLast().joined(separator: "\n"))
    }

    /// `POST /v1/command` with `body`, as JSON, with a bearer token when given.
    static func post(_ url: String, _ body: String, token: String? = nil, extra: [String] = []) -> (code: String, body: String) {
        var arguments = ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", body]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        return curl(arguments + extra + [url])
    }

    static func tokensDirectory(port: UInt16, httpPort: UInt16, tls: String? = nil,
                                reservations: [TestReservation] = [ReloadTests.subscriber(10)]) throws -> ServerDirectory {
        try ServerDirectory(reservations: reservations) { config in
            let base = Auth.baseDirectory(config)
            config.extra = [#""mgmt_address": "127.0.0.1:\#(port)""#,
                            #""mgmt_http_address": "127.0.0.1:\#(httpPort)""#,
                            #""mgmt_max_request_bytes": 4096"#,
                            #""mgmt_auth": {"tokens_file": "\#(base)/tokens.json"}"#]
            if let tls { config.extra.append(#""mgmt_tls": \#(tls.replacingOccurrences(of: "DIR", with: base))"#) }
        }
    }

    static func writeTokens(_ directory: ServerDirectory) throws {
        try Files.write(Auth.tokensJSON, to: directory.file("tokens.json"))
        chmod(directory.file("tokens.json"), 0o600)
    }

    @Test func httpAPIAnswersWithTheLineProtocolsResponsesAndPreciseStatusCodes() async throws {
        let port = try ManagementTests.freePort(), httpPort = try ManagementTests.freePort()
        let directory = try Self.tokensDirectory(port: port, httpPort: httpPort)
        try Self.writeTokens(directory)
        let url = "http://127.0.0.1:\(httpPort)/v1/command"
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            let status = Self.post(url, #"{"command":"status"}"#, token: Auth.readToken)
            #expect(status.code == "200"
                    && status.body.hasPrefix(#"{"success":true,"message":"Status OK","reservation_count":2,"snapshot_generation":1,"#),
                    "\(status)")
            let anonymous = Self.post(url, #"{"command":"status"}"#)
            #expect(anonymous.code == "401" && anonymous.body.contains("authentication required"), "\(anonymous)")
            let wrong = Self.post(url, #"{"command":"status"}"#, token: String(repeating: "x", count: 32))
            #expect(wrong.code == "401" && wrong.body.contains("unknown token"), "\(wrong)")
            let notBearer = Self.curl(["-X", "POST", "-H", "Content-Type: application/json", "-H", "Authorization: Basic eDp5",
                                       "--data-binary", #"{"command":"status"}"#, url])
            #expect(notBearer.code == "401" && notBearer.body.contains("Bearer TOKEN"), "\(notBearer)")
            let denied = Self.post(url, Auth.replace, token: Auth.readToken)
            #expect(denied.code == "403"
                    && denied.body == #"{"success":false,"error":"permission denied: `replace` needs role admin, token grafana has role read"}"# + "\n",
                    "\(denied)")
            let replaced = Self.post(url, Auth.replace, token: Auth.adminToken)
            #expect(replaced.code == "200"
                    && replaced.body == #"{"success":true,"message":"Replaced with 1 reservations","reservation_count":1}"# + "\n",
                    "\(replaced)")
            // The token may be in the body instead; both and different is a bad request.
            #expect(Self.post(url, Auth.withToken(Auth.readToken, #"{"command":"status"}"#)).code == "200")
            let both = Self.post(url, Auth.withToken(Auth.readToken, #"{"command":"status"}"#), token: Auth.adminToken)
            #expect(both.code == "400" && both.body.contains("differs"), "\(both)")

            let get = Self.curl(["-i", "-H", "Authorization: Bearer \(Auth.readToken)", url])
            #expect(get.code == "405" && get.body.lowercased().contains("allow: post"), "\(get)")
            let missing = Self.post("http://127.0.0.1:\(httpPort)/v1/other", #"{"command":"status"}"#, token: Auth.readToken)
            #expect(missing.code == "404" && missing.body.contains("POST /v1/command"), "\(missing)")
            let form = Self.curl(["-H", "Authorization: Bearer \(Auth.readToken)", "--data", #"{"command":"status"}"#, url])
            #expect(form.code == "415" && form.body.contains("application/json"), "\(form)")
            let badJSON = Self.post(url, #"{"command":"#, token: Auth.readToken)
            #expect(badJSON.code == "400" && badJSON.body.contains(#""success":false"#), "\(badJSON)")
            let unknown = Self.post(url, #"{"command":"format-disk"}"#, token: Auth.adminToken)
            #expect(unknown.code == "400", "\(unknown)")
            let big = #"{"command":"status","pad":""# + String(repeating: "x", count: 5000) + #""}"#
            let tooLarge = Self.post(url, big, token: Auth.readToken)
            #expect(tooLarge.code == "413" && tooLarge.body.contains("larger than 4096 bytes"), "\(tooLarge)")

            // The same audit as the line protocol, with its transport.
            let audit = try await eventually(timeout: .seconds(5), "the audit line of the HTTP replace") {
                master.lines.first { $0.message == "management request" && $0["mgmt.command"] == "replace"
                    && $0["mgmt.result"] == "ok" }
            }
            #expect(audit["mgmt.transport"] == "http" && audit["mgmt.identity"] == "token billing")
            // Nothing refused was applied: one replace only.
            let generation = master.lines.filter { $0.message == "management request" && $0["snapshot.generation.after"] != nil }
            #expect(generation.count == 1)
        }
    }

    @Test func tlsServesTheLineProtocolAndHTTPSToVerifyingClients() async throws {
        let port = try ManagementTests.freePort(), httpPort = try ManagementTests.freePort()
        let directory = try Self.tokensDirectory(
            port: port, httpPort: httpPort, tls: #"{"cert_file": "DIR/server.pem", "key_file": "DIR/server.key"}"#)
        try Self.writeTokens(directory)
        try Self.makeCertificates(in: directory.path)
        let ca = directory.file("ca.pem")
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            let https = Self.post("https://127.0.0.1:\(httpPort)/v1/command", #"{"command":"status"}"#,
                                  token: Auth.readToken, extra: ["--cacert", ca])
            #expect(https.code == "200" && https.body.contains(#""success":true"#), "\(https)")
            // Plain HTTP to the HTTPS port gets no answer.
            #expect(Self.post("http://127.0.0.1:\(httpPort)/v1/command", #"{"command":"status"}"#,
                              token: Auth.readToken).code != "200")

            let line = Auth.withToken(Auth.readToken, #"{"command":"status"}"#)
            let sClient = Auth.run("/bin/sh", ["-c", """
                printf '%s\\n' '\(line)' | openssl s_client -connect 127.0.0.1:\(port) -CAfile '\(ca)' \
                    -verify_return_error -quiet 2>/dev/null
                """])
            #expect(sClient.stdout.hasPrefix(#"{"success":true,"message":"Status OK","reservation_count":2,"snapshot_generation":1,"#),
                    "\(sClient)")

            let ctl = try BuildProducts.executable("shadowctl")
            let tokenFile = directory.file("read.token")
            try Files.write(Auth.readToken + "\n", to: tokenFile)
            let status = Auth.run(ctl, ["status", "--address", "127.0.0.1:\(port)", "--tls-ca", ca,
                                        "--token-file", tokenFile, "--json"])
            #expect(status.status == 0 && status.stdout.contains(#""success":true"#), "\(status)")
            // Without --tls-ca shadowctl speaks plain TCP, which the TLS listener does not answer.
            let plain = Auth.run(ctl, ["status", "--address", "127.0.0.1:\(port)", "--json", "--timeout", "5"])
            #expect(plain.status != 0, "\(plain)")
            // A CA that did not sign the server's certificate: refused by the client.
            let wrongCA = Auth.run(ctl, ["status", "--address", "127.0.0.1:\(port)", "--tls-ca", directory.file("billing.pem"),
                                         "--json"])
            #expect(wrongCA.status != 0, "\(wrongCA)")

            let audit = try await eventually(timeout: .seconds(5), "the audit line of an HTTPS request") {
                master.lines.first { $0.message == "management request" && $0["mgmt.transport"] == "https" }
            }
            #expect(audit["mgmt.identity"] == "token grafana")
            #expect(master.lines.contains { $0.message == "management request" && $0["mgmt.transport"] == "tls" })
        }
    }

    @Test func aClientCertificateNamesTheClient() async throws {
        let port = try ManagementTests.freePort(), httpPort = try ManagementTests.freePort()
        let directory = try Self.tokensDirectory(
            port: port, httpPort: httpPort,
            tls: #"{"cert_file": "DIR/server.pem", "key_file": "DIR/server.key", "client_ca_file": "DIR/ca.pem", "client_roles": {"billing": "admin"}}"#)
        try Self.writeTokens(directory)
        try Self.makeCertificates(in: directory.path)
        let ca = directory.file("ca.pem")
        let url = "https://127.0.0.1:\(httpPort)/v1/command"
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            // No client certificate: the handshake fails, even with a good token.
            let none = Self.post(url, #"{"command":"status"}"#, token: Auth.adminToken, extra: ["--cacert", ca])
            #expect(none.code == "000", "\(none)")
            let refused = try await eventually(timeout: .seconds(5), "the audit line of the failed handshake") {
                master.lines.first { $0.message == "management request" && $0["mgmt.result"] == "unauthenticated"
                    && $0["mgmt.transport"] == "https" }
            }
            #expect(refused["mgmt.error"]?.hasPrefix("TLS handshake failed") == true, "\(refused)")
            let billing = ["--cacert", ca, "--cert", directory.file("billing.pem"), "--key", directory.file("billing.key")]
            let replaced = Self.post(url, Auth.replace, extra: billing)
            #expect(replaced.code == "200" && replaced.body.contains("Replaced with 1 reservations"), "\(replaced)")
            let stranger = Self.post(url, #"{"command":"status"}"#,
                                     extra: ["--cacert", ca, "--cert", directory.file("stranger.pem"),
                                             "--key", directory.file("stranger.key")])
            #expect(stranger.code == "401" && stranger.body.contains(#"certificate CN \"stranger\" is not in"#),
                    "\(stranger)")

            let ctl = try BuildProducts.executable("shadowctl")
            let status = Auth.run(ctl, ["status", "--address", "127.0.0.1:\(port)", "--tls-ca", ca, "--json",
                                        "--tls-cert", directory.file("billing.pem"), "--tls-key", directory.file("billing.key")])
            #expect(status.status == 0 && status.stdout.contains(#""success":true"#), "\(status)")

            let audit = try await eventually(timeout: .seconds(5), "the audit line of the certificate's replace") {
                master.lines.first { $0.message == "management request" && $0["mgmt.command"] == "replace" }
            }
            #expect(audit["mgmt.identity"] == "cert:billing" && audit["mgmt.role"] == "admin"
                    && audit["mgmt.transport"] == "https", "\(audit)")
            // TLS runs in ops under its allow-list filter: nothing was killed (SIGSYS) and restarted.
            #expect(!master.lines.contains { $0.message.contains("killed by signal") })
        }
    }

    @Test func checkRefusesUnusableTLSFilesAndPlainNonLoopbackListeners() async throws {
        let port = try ManagementTests.freePort(), httpPort = try ManagementTests.freePort()
        let mismatched = try Self.tokensDirectory(
            port: port, httpPort: httpPort, tls: #"{"cert_file": "DIR/server.pem", "key_file": "DIR/other.key"}"#)
        try Self.writeTokens(mismatched)
        try Self.makeCertificates(in: mismatched.path)
        let check = try await ShadowMasterCommand.run(["--check", "--configdir", mismatched.path])
        #expect(check.exited(1) && check.stdout.contains("other.key: this key does not belong to the certificate"),
                "\(check.stdout)\(check.stderr)")

        let unreadable = try Self.tokensDirectory(
            port: port, httpPort: httpPort, tls: #"{"cert_file": "DIR/nonexistent.pem", "key_file": "DIR/server.key"}"#)
        try Self.writeTokens(unreadable)
        try Self.makeCertificates(in: unreadable.path)
        let missing = try await ShadowMasterCommand.run(["--check", "--configdir", unreadable.path])
        #expect(missing.exited(1) && missing.stdout.contains("nonexistent.pem")
                && missing.stdout.contains("mgmt_tls.cert_file"), "\(missing.stdout)\(missing.stderr)")

        let plain = try ServerDirectory(reservations: []) { config in
            config.extra = [#""mgmt_http_address": "0.0.0.0:\#(httpPort)""#]
        }
        let refused = try await ShadowMasterCommand.run(["--check", "--configdir", plain.path])
        #expect(refused.exited(1) && refused.stdout.contains("mgmt_http_address")
                && refused.stdout.contains("unless mgmt_tls is configured"), "\(refused.stdout)\(refused.stderr)")

        let secured = try ServerDirectory(reservations: []) { config in
            let base = Auth.baseDirectory(config)
            config.extra = [#""mgmt_http_address": "0.0.0.0:\#(httpPort)""#,
                            #""mgmt_tls": {"cert_file": "\#(base)/server.pem", "key_file": "\#(base)/server.key"}"#]
        }
        try Self.makeCertificates(in: secured.path)
        let accepted = try await ShadowMasterCommand.run(["--check", "--configdir", secured.path])
        #expect(accepted.exited(0), "\(accepted.stdout)\(accepted.stderr)")
    }
}
