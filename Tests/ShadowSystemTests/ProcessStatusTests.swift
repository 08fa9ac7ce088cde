import ShadowSystem
import Testing

@Suite struct ProcessStatusTests {
    /// A confined worker's /proc/PID/status (trimmed fields kept in kernel order).
    static let worker = """
        Name:\tshadow-v4
        Umask:\t0022
        State:\tS (sleeping)
        Tgid:\t4242
        Pid:\t4242
        PPid:\t4200
        Uid:\t65534\t65534\t65534\t65534
        Gid:\t65534\t65534\t65534\t65534
        FDSize:\t64
        Groups:\t65534 
        Threads:\t1
        SigBlk:\t0000000000000000
        CapInh:\t0000000000000000
        CapPrm:\t0000000000000000
        CapEff:\t0000000000000000
        CapBnd:\t0000000000000000
        CapAmb:\t0000000000000000
        NoNewPrivs:\t1
        Seccomp:\t2
        Seccomp_filters:\t1
        """

    @Test func parsesAConfinedWorker() throws {
        let s = try ProcessStatus(parsing: Self.worker)
        #expect(s.name == "shadow-v4")
        #expect(s.pid == 4242)
        #expect(s.threads == 1)
        #expect(s.uids == [65534, 65534, 65534, 65534])
        #expect(s.gids == [65534, 65534, 65534, 65534])
        #expect(s.groups == [65534])
        #expect(s.hasNoCapabilities)
        #expect(s.noNewPrivileges)
        #expect(s.seccompMode == 2)
        #expect(SandboxAudit.problems(in: s, expectedUID: 65534, expectedGID: 65534).isEmpty)
    }

    @Test func rootWithCapabilitiesIsReported() throws {
        let text = Self.worker
            .replacingOccurrences("Uid:\t65534\t65534\t65534\t65534", "Uid:\t0\t0\t0\t0")
            .replacingOccurrences("CapBnd:\t0000000000000000", "CapBnd:\t000001fffeffffff")
            .replacingOccurrences("Groups:\t65534 ", "Groups:\t ")
        let s = try ProcessStatus(parsing: text)
        #expect(s.uids == [0, 0, 0, 0])
        #expect(s.groups == [])
        #expect(s.capBounding == 0x1ff_feff_ffff)
        let problems = SandboxAudit.problems(in: s, expectedUID: 65534, expectedGID: 65534)
        #expect(problems.count == 4)  // uid 0, uid ≠ expected, groups, capabilities
    }

    @Test func missingAndMalformedFieldsAreErrors() {
        let noSeccomp = Self.worker.split(separator: "\n").filter { !$0.hasPrefix("Seccomp:") }.joined(separator: "\n")
        #expect(throws: ProcessStatus.ParseError.missingField("Seccomp")) { _ = try ProcessStatus(parsing: noSeccomp) }
        let badCap = Self.worker.replacingOccurrences("CapEff:\t0000000000000000", "CapEff:\tzz")
        #expect(throws: ProcessStatus.ParseError.invalidField("CapEff", value: "zz")) { _ = try ProcessStatus(parsing: badCap) }
        let shortUid = Self.worker.replacingOccurrences("Uid:\t65534\t65534\t65534\t65534", "Uid:\t65534")
        #expect(throws: ProcessStatus.ParseError.self) { _ = try ProcessStatus(parsing: shortUid) }
    }
}

extension String {
    /// Replaces every occurrence (Foundation-free).
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        var out = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
