import Foundation
import Glibc
import ShadowCore
import ShadowTesting
import Testing

/// Authentication, roles and the audit of the management interface, through the real master.
@Suite(.needsRoot, .timeLimit(.minutes(2)), .serialized)
struct ManagementAuthTests {
    static let adminToken = String(repeating: "a1", count: 32)
    static let readToken = String(repeating: "r2", count: 32)

    /// `tokens.json` with `billing` (admin) and `grafana` (read).
    static var tokensJSON: String {
        func hex(_ t: String) -> String { sha256Hex(t) }
        return #"{"tokens": [{"name": "billing", "role": "admin", "sha256": "\#(hex(adminToken))"}, "#
            + #"{"name": "grafana", "role": "read", "sha256": "\#(hex(readToken))"}]}"#
    }

    /// SHA-256 hex by the system's `sha256sum` (an implementation independent of ours).
    static func sha256Hex(_ text: String) -> String {
        let r = run("/bin/sh", ["-c", "printf %s '\(text)' | sha256sum"])
        return String(r.stdout.prefix(64))
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.environment = environment
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return Run(status: -1, stdout: "", stderr: "\(error)") }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                   stderr: String(decoding: e, as: UTF8.self))
    }

    /// One request line over TCP to 127.0.0.1:`port`; the response line.
    static func tcpRequest(_ port: UInt16, _ line: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in(sin_family: sa_family_t(AF_INET), sin_port: port.bigEndian,
                            sin_addr: in_addr(s_addr: UInt32(0x7F00_0001).bigEndian), sin_zero: (0, 0, 0, 0, 0, 0, 0, 0))
        let connected = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        return String(decoding: ManagementTests.readAll(fd), as: UTF8.self)
    }

    static let replace = #"{"command":"replace","reservations":[{"ipv4":"198.51.100.20","ipv6_na":"2001:db8:1::20","ipv6_pd":"2001:db8:2000::/56","mac":"00-11-22-33-44-55"}]}"#

    static func withToken(_ token: String, _ request: String) -> String {
        #"{"token":"\#(token)","# + request.dropFirst()
    }

    static func baseDirectory(_ config: ServerConfigFile) -> String { String(config.stateDir.dropLast("/state".count)) }

    @Test func tcpWithTokensNeedsAnAdminTokenToReplaceAndIsAudited() async throws {
        let port = try ManagementTests.freePort()
        let directory = try ServerDirectory(reservations: [ReloadTests.subscriber(10)]) { config in
            config.extra = [#""mgmt_address": "127.0.0.1:\#(port)""#,
                            #""mgmt_auth": {"tokens_file": "\#(Self.baseDirectory(config))/tokens.json"}"#]
        }
        try Files.write(Self.tokensJSON, to: directory.file("tokens.json"))
        chmod(directory.file("tokens.json"), 0o600)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            #expect(try Self.tcpRequest(port, Self.replace)
                    == #"{"success":false,"error":"authentication required: this server needs a token (shadowctl --token-file)"}"# + "\n")
            #expect(try Self.tcpRequest(port, Self.withToken(Self.readToken, Self.replace))
                    == #"{"success":false,"error":"permission denied: `replace` needs role admin, token grafana has role read"}"# + "\n")
            #expect(try Self.tcpRequest(port, Self.withToken(Self.readToken, #"{"command":"status"}"#))
                .hasPrefix(#"{"success":true,"message":"Status OK","reservation_count":2,"snapshot_generation":1,"snapshot_digest":""#))
            #expect(try Self.tcpRequest(port, Self.withToken(Self.adminToken, Self.replace))
                    == #"{"success":true,"message":"Replaced with 1 reservations","reservation_count":1}"# + "\n")

            // One audit line per request; the replace names its identity and both generations.
            let audit = try await eventually(timeout: .seconds(5), "the audit line of the replace") {
                master.lines.first { $0.message == "management request" && $0["mgmt.result"] == "ok"
                    && $0["mgmt.command"] == "replace" }
            }
            #expect(audit["mgmt.identity"] == "token billing" && audit["mgmt.transport"] == "tcp")
            #expect(audit["mgmt.peer"]?.hasPrefix("127.0.0.1:") == true)
            #expect(audit["snapshot.generation.before"] == "1" && audit["snapshot.generation.after"] == "2")
            #expect(audit["snapshot.digest.before"]?.count == 16 && audit["snapshot.digest.after"]?.count == 16)
            #expect(audit["snapshot.digest.before"] != audit["snapshot.digest.after"])
            // A per-reservation change is audited the same way, with the generation it made live.
            let add = #"{"command":"reservation-add","reservation":{"ipv4":"198.51.100.21","ipv6_na":"2001:db8:1::21","ipv6_pd":"2001:db8:2100::/56","mac":"00-11-22-33-44-66"}}"#
            #expect(try Self.tcpRequest(port, Self.withToken(Self.adminToken, add)).hasPrefix(#"{"success":true"#))
            let change = try await eventually(timeout: .seconds(5), "the audit line of the reservation-add") {
                master.lines.first { $0.message == "management request" && $0["mgmt.command"] == "reservation-add" }
            }
            #expect(change["mgmt.result"] == "ok" && change["mgmt.identity"] == "token billing")
            #expect(change["snapshot.generation.before"] == "2" && change["snapshot.generation.after"] == "3",
                    "\(change)")
            #expect(change["snapshot.digest.before"] == audit["snapshot.digest.after"])
            let status = master.lines.first { $0.message == "management request" && $0["mgmt.command"] == "status" }
            #expect(status?["mgmt.identity"] == "token grafana" && status?["mgmt.role"] == "read", "\(String(describing: status))")
            let refused = master.lines.filter { $0.message == "management request" && $0.level == "WARN" }
            #expect(refused.map { $0["mgmt.result"] ?? "" } == ["unauthenticated", "denied"])
        }
    }

    @Test func withoutTokensReadsWorkAndChangesNeedInsecureWrites() async throws {
        let port = try ManagementTests.freePort()
        let directory = try ServerDirectory(reservations: [ReloadTests.subscriber(10)]) { config in
            config.extra = [#""mgmt_address": "127.0.0.1:\#(port)""#]
        }
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            #expect(try Self.tcpRequest(port, #"{"command":"status"}"#).contains(#""success":true"#))
            #expect(try Self.tcpRequest(port, Self.replace)
                    == #"{"success":false,"error":"authentication required: set mgmt_auth.tokens_file"}"# + "\n")
            #expect(!master.lines.contains { $0.message.contains("mgmt_tcp_insecure_writes") })
        }
        let insecure = try ServerDirectory(reservations: [ReloadTests.subscriber(10)]) { config in
            config.extra = [#""mgmt_address": "127.0.0.1:\#(port)""#, #""mgmt_tcp_insecure_writes": true"#]
        }
        try await withMaster(insecure) { master in
            _ = try await master.waitUntilServing()
            #expect(try Self.tcpRequest(port, Self.replace)
                    == #"{"success":true,"message":"Replaced with 1 reservations","reservation_count":1}"# + "\n")
            #expect(master.lines.contains { $0.level == "WARN" && $0.message.contains("mgmt_tcp_insecure_writes") })
        }
        let check = try await ShadowMasterCommand.run(["--check", "--configdir", insecure.path])
        #expect(check.exited(0) && check.stdout.contains("mgmt_tcp_insecure_writes"), "\(check.stdout)\(check.stderr)")
    }

    /// A user and a group of their own, removed afterwards.
    struct TestAccount {
        let user: String
        let group: String
        let uid: UInt32
        let gid: UInt32

        init() throws {
            let suffix = "\(getpid() % 100_000)"
            user = "shauth\(suffix)"
            group = "shadm\(suffix)"
            _ = run("/usr/sbin/groupadd", [group])
            _ = run("/usr/sbin/useradd", ["-M", "-N", "-s", "/usr/sbin/nologin", user])
            _ = run("/usr/bin/gpasswd", ["-a", user, group])
            guard let pw = getpwnam(user), let gr = getgrnam(group) else {
                TestAccount.remove(user: user, group: group)
                throw TestingError("cannot create the test account \(user) and group \(group)")
            }
            uid = pw.pointee.pw_uid
            gid = gr.pointee.gr_gid
        }

        static func remove(user: String, group: String) {
            _ = run("/usr/sbin/userdel", [user])
            _ = run("/usr/sbin/groupdel", [group])
        }

        func remove() { Self.remove(user: user, group: group) }
    }

    /// shadowctl as `uid`/`gid` with `groups` as its only supplementary groups.
    static func shadowctl(as uid: UInt32, _ gid: UInt32, groups: [UInt32] = [], _ arguments: [String]) throws -> Run {
        let ctl = try BuildProducts.executable("shadowctl")
        let groupOption = groups.isEmpty ? "--clear-groups" : "--groups=" + groups.map(String.init).joined(separator: ",")
        return run("/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(gid)", groupOption, ctl] + arguments)
    }

    @Test func unixSocketGroupMembersGetTheirRoleAndOthersAreRefused() async throws {
        let account = try TestAccount()
        defer { account.remove() }
        let directory = try ServerDirectory(reservations: [ReloadTests.subscriber(10)]) { config in
            config.extra = [#""mgmt_socket": "\#(Self.baseDirectory(config))/mgmt.sock""#,
                            #""mgmt_auth": {"unix_group": "\#(account.group)", "unix_group_role": "read"}"#]
        }
        let socketPath = directory.file("mgmt.sock")
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            var st = stat()
            #expect(stat(socketPath, &st) == 0 && st.st_mode & 0o777 == 0o660 && st.st_uid == 0 && st.st_gid == account.gid)

            // A member, recognised by its uid (its gid is nobody's; the group only as a supplementary
            // group, which SO_PEERCRED does not report): read, not admin.
            let status = try Self.shadowctl(as: account.uid, 65534, groups: [account.gid],
                                            ["status", "--socket", socketPath, "--json"])
            #expect(status.status == 0 && status.stdout.contains(#""success":true"#), "\(status)")
            let reload = try Self.shadowctl(as: account.uid, 65534, groups: [account.gid], ["reload", "--socket", socketPath])
            #expect(reload.status == 1 && reload.stderr.contains("permission denied: `reload` needs role admin"), "\(reload)")

            // Outside the group: the socket's mode refuses; with a wider mode, the server does.
            let nobody = try Self.shadowctl(as: 65534, 65534, ["status", "--socket", socketPath])
            #expect(nobody.status == 3, "\(nobody)")
            chmod(socketPath, 0o666)
            let refused = try Self.shadowctl(as: 65534, 65534, ["status", "--socket", socketPath])
            #expect(refused.status == 1
                    && refused.stderr.contains("authentication failed: uid 65534 is neither root nor a member of mgmt_auth.unix_group"),
                    "\(refused)")
            // ops's audit lines reach the master's output through its pipe: wait for them.
            _ = try await master.waitForLine("the member's audit line") {
                $0.message == "management request" && $0["mgmt.identity"]?.hasPrefix("uid \(account.uid) pid ") == true
                    && $0["mgmt.transport"] == "unix" && $0["mgmt.result"] == "ok" && $0["mgmt.role"] == "read"
            }
            _ = try await master.waitForLine("the refused client's audit line") {
                $0.message == "management request" && $0["mgmt.identity"]?.hasPrefix("uid 65534 pid ") != true
                    && $0["mgmt.result"] == "unauthenticated" && $0["mgmt.peer"] == socketPath
            }
        }
    }

    @Test func checkRefusesAGroupReadableTokensFile() async throws {
        let directory = try ServerDirectory(reservations: []) { config in
            config.extra = [#""mgmt_address": "127.0.0.1:8547""#,
                            #""mgmt_auth": {"tokens_file": "\#(Self.baseDirectory(config))/tokens.json"}"#]
        }
        let tokens = directory.file("tokens.json")
        try Files.write(Self.tokensJSON, to: tokens)
        chmod(tokens, 0o640)
        let refused = try await ShadowMasterCommand.run(["--check", "--configdir", directory.path])
        #expect(refused.exited(1), "\(refused.stdout)\(refused.stderr)")
        #expect((refused.stdout + refused.stderr).contains("\(tokens): mode 640 lets group or others read or write it"))
        chmod(tokens, 0o600)
        let accepted = try await ShadowMasterCommand.run(["--check", "--configdir", directory.path])
        #expect(accepted.exited(0), "\(accepted.stdout)\(accepted.stderr)")
        #expect(accepted.stdout.contains("tcp tokens only: 2 in \(tokens): billing (admin), grafana (read)"), "\(accepted.stdout)")
    }

    @Test func checkRefusesRemoteMetricsWithoutAllowRemote() async throws {
        let directory = try ServerDirectory(reservations: []) { config in
            config.extra = [#""metrics_address": "0.0.0.0:9547""#]
        }
        let refused = try await ShadowMasterCommand.run(["--check", "--configdir", directory.path])
        #expect(refused.exited(1))
        #expect((refused.stdout + refused.stderr).contains(
            "config.json: metrics_address: must be a loopback address (127.0.0.0/8 or [::1]) unless metrics_allow_remote is true (/metrics is served without TLS: firewall it or put a TLS proxy in front), got 0.0.0.0:9547"))
        let allowed = try ServerDirectory(reservations: []) { config in
            config.extra = [#""metrics_address": "0.0.0.0:9547""#, #""metrics_allow_remote": true"#]
        }
        #expect(try await ShadowMasterCommand.run(["--check", "--configdir", allowed.path]).exited(0))
    }
}
