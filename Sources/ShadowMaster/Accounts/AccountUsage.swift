import IPC
import ShadowSystem

/// Who else uses the sandboxed processes' accounts (`--check`).
public enum AccountUsage {
    /// One warning per account that owns processes other than shadowdhcp's: any of them can
    /// signal, `prlimit` or trace the process that runs as that account. A process counts as
    /// ours when its name is the executable of a kind that runs as that account (`shadow-v4`
    /// under the v4 account, all three under a shared one).
    public static func warnings(_ accounts: ProcessAccounts, processes: [ProcessTable.Entry]) -> [String] {
        var out: [String] = []
        var seen: Set<UInt32> = []
        for kind in [WorkerKind.v4, .v6, .ops] {
            let account = accounts.account(for: kind)
            guard seen.insert(account.uid).inserted else { continue }
            let ours = Set([WorkerKind.v4, .v6, .ops].filter { accounts.account(for: $0).uid == account.uid }
                .map(\.executableName))
            let foreign = processes.filter { $0.uid == account.uid && !ours.contains($0.name) }
            guard !foreign.isEmpty else { continue }
            let named = foreign.prefix(2).map { "pid \($0.pid) (\($0.name))" }.joined(separator: ", ")
            let more = foreign.count > 2 ? " and \(foreign.count - 2) more" : ""
            let users = ours.sorted().joined(separator: ", ")
            out.append("config.json: user: the account \(account.name) (uid \(account.uid)) owns processes that are not "
                       + "shadowdhcp's: \(named)\(more); they can signal, prlimit or trace \(users)")
        }
        return out
    }
}
