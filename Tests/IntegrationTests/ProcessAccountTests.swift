import Glibc
import ShadowTesting
import Testing

/// docs/privileges.md, "One account per process": with `BASE-v4`, `BASE-v6` and `BASE-ops`
/// present, `"user": "BASE"` runs the three sandboxed processes under three uids and gids, so one
/// cannot signal another; without them all run as `BASE`, with a warning at start and from
/// `--check`. Every child starts in a session of its own with stdin on /dev/null.
@Suite(.needsRoot, .timeLimit(.minutes(2)))
struct ProcessAccountTests {
    static func directory(user: String) throws -> ServerDirectory {
        try ServerDirectory(reservations: Fixtures.reservations) { config in
            config.user = user
            config.extra = [#""mgmt_socket": "\#(config.stateDir.dropLast("/state".count))/run/mgmt.sock""#]
        }
    }

    /// `kill -0 target` run as `uid`/`gid` (no supplementary groups): its exit status and stderr.
    static func signal(_ target: Int32, as uid: UInt32, _ gid: UInt32) async throws -> CommandResult {
        try await ExternalCommand.run("/usr/bin/setpriv", [
            "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "/bin/kill", "-0", String(target),
        ])
    }

    static func ids(_ pid: Int32, _ key: String) -> [UInt32] {
        (ProcFS.status(pid)?[key] ?? "").split(whereSeparator: { $0 == "\t" || $0 == " " }).compactMap { UInt32($0) }
    }

    @Test func threeAccountsGiveThreeUidsAndGidsThatCannotSignalEachOther() async throws {
        let accounts = try TestAccounts()
        defer { accounts.remove() }
        let directory = try Self.directory(user: accounts.base)
        let check = try await ShadowMasterCommand.run(["--check", "--configdir", directory.path])
        #expect(check.exited(0), "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("sandboxed processes run as v4 \(accounts["v4"].name), v6 \(accounts["v6"].name), "
                                      + "ops \(accounts["ops"].name)"), "\(check.stdout)")
        #expect(!check.stdout.contains("share the account"), "\(check.stdout)")
        try await withMaster(directory) { master in
            let (v4, v6) = try await master.waitUntilServing()
            let ops = try await master.waitForOps()
            for (kind, pid) in [("v4", v4.pid), ("v6", v6.pid), ("ops", ops.pid)] {
                let account = accounts[kind]
                #expect(Self.ids(pid, "Uid") == Array(repeating: account.uid, count: 4), "\(kind) Uid")
                #expect(Self.ids(pid, "Gid") == Array(repeating: account.gid, count: 4), "\(kind) Gid")
                #expect(Self.ids(pid, "Groups") == [account.gid], "\(kind) Groups")
            }
            #expect(Set([accounts["v4"].uid, accounts["v6"].uid, accounts["ops"].uid]).count == 3)
            // The kernel checks signals (like prlimit and ptrace) by uid: v4's uid cannot reach
            // v6 or ops, but reaches v4 itself.
            for target in [v6.pid, ops.pid] {
                let refused = try await Self.signal(target, as: accounts["v4"].uid, accounts["v4"].gid)
                #expect(!refused.exited(0) && refused.stderr.contains("Operation not permitted"),
                        "kill -0 \(target) as v4: \(refused.status) \(refused.stderr)")
            }
            let own = try await Self.signal(v4.pid, as: accounts["v4"].uid, accounts["v4"].gid)
            #expect(own.exited(0), "kill -0 v4 as v4: \(own.status) \(own.stderr)")
            let refusedOps = try await Self.signal(v4.pid, as: accounts["ops"].uid, accounts["ops"].gid)
            #expect(!refusedOps.exited(0), "kill -0 v4 as ops: \(refusedOps.status)")
            // Each audit and each `workers` entry names the process's own account.
            for kind in ["v4", "v6"] {
                #expect(master.lines.contains {
                    $0.process == "master" && $0.message == "\(kind) worker ready" && $0["account"] == accounts[kind].name
                }, "no ready line for \(kind) with its account")
            }
            let workers = try ManagementTests.request(directory.file("run/mgmt.sock"), #"{"command":"workers"}"#)
            for kind in ["v4", "v6", "ops"] {
                let a = accounts[kind]
                #expect(workers.contains(#""protocol":"\#(kind)","pid":"#), "\(workers)")
                #expect(workers.contains(#""account":"\#(a.name)","uid":\#(a.uid),"gid":\#(a.gid)"#), "\(workers)")
            }
            #expect(!master.lines.contains { $0.message.contains("share the account") })
        }
    }

    @Test func sharedAccountWarnsAtStartAndFromCheck() async throws {
        let directory = try Self.directory(user: "nobody")
        let check = try await ShadowMasterCommand.run(["--check", "--configdir", directory.path])
        #expect(check.exited(0), "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("config.json: user: shadow-v4, shadow-v6 and shadow-ops share the account nobody: "
                                      + "any of them can signal, prlimit or trace the others; "
                                      + "create nobody-v4, nobody-v6, nobody-ops"), "\(check.stdout)")
        #expect(check.stdout.contains("config.json: user: the sandboxed processes run as nobody"), "\(check.stdout)")
        try await withMaster(directory) { master in
            let (v4, v6) = try await master.waitUntilServing()
            let ops = try await master.waitForOps()
            let nobody = try #require(getpwnam("nobody")).pointee
            for pid in [v4.pid, v6.pid, ops.pid] {
                #expect(Self.ids(pid, "Uid") == Array(repeating: nobody.pw_uid, count: 4))
            }
            #expect(master.lines.contains {
                $0.process == "master" && $0.level == "WARN" && $0.message.hasPrefix(
                    "config.json: user: shadow-v4, shadow-v6 and shadow-ops share the account nobody")
            })
        }
    }

    @Test func checkNamesForeignProcessesOfAnAccount() async throws {
        let accounts = try TestAccounts()
        defer { accounts.remove() }
        let directory = try Self.directory(user: accounts.base)
        let v6 = accounts["v6"]
        let intruder = try BackgroundCommand("/usr/bin/setpriv", [
            "--reuid=\(v6.uid)", "--regid=\(v6.gid)", "--clear-groups", "/bin/sleep", "60",
        ])
        defer { intruder.stop() }
        // setpriv execs sleep: wait until the process runs as the account.
        let deadline = ContinuousClock.now + .seconds(5)
        while Self.ids(intruder.pid, "Uid").first != v6.uid || ProcFS.status(intruder.pid)?["Name"] != "sleep" {
            try #require(ContinuousClock.now < deadline, "the intruder never ran as \(v6.name)")
            try await Task.sleep(for: .milliseconds(10))
        }
        let check = try await ShadowMasterCommand.run(["--check", "--configdir", directory.path])
        #expect(check.exited(0))
        #expect(check.stdout.contains("config.json: user: the account \(v6.name) (uid \(v6.uid)) owns processes that are "
                                      + "not shadowdhcp's: pid \(intruder.pid) (sleep)"), "\(check.stdout)")
        #expect(check.stdout.contains("they can signal, prlimit or trace shadow-v6"), "\(check.stdout)")
        #expect(!check.stdout.contains("the account \(accounts["v4"].name) (uid"), "\(check.stdout)")
    }
}
