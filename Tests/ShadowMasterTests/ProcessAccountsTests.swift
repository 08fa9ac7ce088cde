import IPC
import ShadowSystem
import Testing
@testable import ShadowMaster

@Suite("One account per sandboxed process")
struct ProcessAccountsTests {
    static func table(_ entries: [String: (UInt32, UInt32)]) -> (String) -> (uid: UInt32, gid: UInt32)? {
        { name in entries[name].map { (uid: $0.0, gid: $0.1) } }
    }

    @Test func threeDedicatedAccountsAreUsed() throws {
        let lookUp = Self.table(["dhcp": (100, 100), "dhcp-v4": (101, 201), "dhcp-v6": (102, 202), "dhcp-ops": (103, 203)])
        let a = try ProcessAccounts.resolve("dhcp", lookUp: lookUp).get()
        #expect(!a.isShared && a.warning == nil)
        #expect(a.account(for: .v4) == .init(name: "dhcp-v4", uid: 101, gid: 201))
        #expect(a.account(for: .v6) == .init(name: "dhcp-v6", uid: 102, gid: 202))
        #expect(a.account(for: .ops) == .init(name: "dhcp-ops", uid: 103, gid: 203))
    }

    @Test func missingOneFallsBackToTheSharedAccountWithAWarning() throws {
        let lookUp = Self.table(["dhcp": (100, 100), "dhcp-v4": (101, 201), "dhcp-v6": (102, 202)])
        let a = try ProcessAccounts.resolve("dhcp", lookUp: lookUp).get()
        #expect(a.isShared && a.v4.name == "dhcp" && a.ops.uid == 100)
        #expect(a.warning == "config.json: user: shadow-v4, shadow-v6 and shadow-ops share the account dhcp: "
                + "any of them can signal, prlimit or trace the others; create dhcp-v4, dhcp-v6, dhcp-ops")
        #expect(a.nobodyWarning == nil)
    }

    @Test func sharedIdsAmongTheDedicatedAccountsAreRefused() {
        let lookUp = Self.table(["x-v4": (101, 201), "x-v6": (101, 202), "x-ops": (103, 201)])
        guard case .failure(let f) = ProcessAccounts.resolve("x", lookUp: lookUp) else {
            Issue.record("accepted")
            return
        }
        #expect(f.lines == [
            #"config.json: user: "x-v4" and "x-v6" have the same uid 101; each needs its own"#,
            #"config.json: user: "x-v4" and "x-ops" have the same primary gid 201; each needs its own group"#,
        ])
    }

    @Test func unknownAndRootAreRefused() {
        guard case .failure(let unknown) = ProcessAccounts.resolve("nope", lookUp: Self.table([:])),
              case .failure(let root) = ProcessAccounts.resolve("root", lookUp: Self.table(["root": (0, 0)])) else {
            Issue.record("accepted")
            return
        }
        #expect(unknown.lines == [#"config.json: user: no account named "nope" (nor "nope-v4", "nope-v6", "nope-ops") "#
                                  + "on this host (the sandboxed processes run as them)"])
        #expect(root.lines.first?.contains("has uid or gid 0") == true)
    }

    @Test func nobodyIsWarnedAbout() throws {
        let a = try ProcessAccounts.resolve("nobody", lookUp: Self.table(["nobody": (65534, 65534)])).get()
        #expect(a.nobodyWarning?.hasPrefix("config.json: user: the sandboxed processes run as nobody") == true)
    }

    @Test func foreignProcessesAreNamedOursAreNot() throws {
        let lookUp = Self.table(["d-v4": (101, 201), "d-v6": (102, 202), "d-ops": (103, 203)])
        let a = try ProcessAccounts.resolve("d", lookUp: lookUp).get()
        let processes = [
            ProcessTable.Entry(pid: 10, name: "shadow-v4", uid: 101),
            ProcessTable.Entry(pid: 11, name: "shadow-v6", uid: 101),
            ProcessTable.Entry(pid: 12, name: "bash", uid: 101),
            ProcessTable.Entry(pid: 13, name: "sleep", uid: 101),
            ProcessTable.Entry(pid: 14, name: "shadow-ops", uid: 103),
            ProcessTable.Entry(pid: 15, name: "cron", uid: 0),
        ]
        #expect(AccountUsage.warnings(a, processes: processes) == [
            "config.json: user: the account d-v4 (uid 101) owns processes that are not shadowdhcp's: "
                + "pid 11 (shadow-v6), pid 12 (bash) and 1 more; they can signal, prlimit or trace shadow-v4",
        ])
    }
}
