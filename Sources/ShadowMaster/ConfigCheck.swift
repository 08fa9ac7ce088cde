import ShadowCore
import ShadowSystem

/// `shadow-master --check`: load everything, then print a summary (exit 0) or every problem (exit 1).
public enum ConfigCheck {
    public struct Result: Sendable {
        public var output: String
        public var exitCode: Int32
    }

    public static func run(configDirectory: String) -> Result {
        do {
            let loaded = try ConfigDirectory.load(configDirectory)
            // The start needs the accounts too: a check that passes must mean it starts.
            var problems = [groupProblem(loaded.config.mgmtAuth.unixGroup)].compactMap { $0 }
            let accounts: ProcessAccounts?
            switch ProcessAccounts.resolve(loaded.config.user) {
            case .success(let a): accounts = a
            case .failure(let f):
                accounts = nil
                problems = f.lines + problems
            }
            guard let accounts, problems.isEmpty else { return failure(configDirectory, problems) }
            return Result(output: summary(loaded, accounts: accounts,
                                          extraWarnings: accountWarnings(accounts, processes: ProcessTable.list())),
                          exitCode: 0)
        } catch {
            return failure(configDirectory, error.lines)
        }
    }

    /// What `--check` says about the accounts: shared, `nobody`, or used by other processes.
    public static func accountWarnings(_ accounts: ProcessAccounts, processes: [ProcessTable.Entry]) -> [String] {
        [accounts.warning, accounts.nobodyWarning].compactMap { $0 }
            + AccountUsage.warnings(accounts, processes: processes)
    }

    private static func failure(_ configDirectory: String, _ lines: [String]) -> Result {
        let n = lines.count
        var out = "\(configDirectory): \(n) problem\(n == 1 ? "" : "s"); nothing would be served:\n"
        for line in lines { out += "  \(line)\n" }
        return Result(output: out, exitCode: 1)
    }

    /// Why `mgmt_auth.unix_group` cannot be used (no such group), as a `config.json` problem line.
    public static func groupProblem(_ group: String?) -> String? {
        guard let group else { return nil }
        do {
            _ = try GroupDirectory.resolve(group)
            return nil
        } catch {
            return "config.json: mgmt_auth.unix_group: \(error)"
        }
    }

    /// The warning of `mgmt_tcp_insecure_writes` (at `--check` and at every start).
    public static let insecureWritesWarning = """
        config.json: mgmt_tcp_insecure_writes: any local process that can reach mgmt_address may \
        reload and replace the reservations without authentication; set mgmt_auth.tokens_file instead
        """

    /// The management access lines of the summary.
    static func managementSummary(_ c: ServerConfig, tokens: TokenTable?) -> String {
        let a = c.mgmtAuth
        var out = "  management access: unix socket root"
        if let g = a.unixGroup { out += " and group \(g) (\(a.unixGroupRole.rawValue))" }
        out += "; tcp "
        if let tokens {
            let names = tokens.entries.map { "\($0.name) (\($0.role.rawValue))" }.joined(separator: ", ")
            out += "tokens only: \(tokens.entries.count) in \(a.tokensFile ?? "-")\(names.isEmpty ? "" : ": \(names)")"
        } else {
            out += c.mgmtTCPInsecureWrites ? "read and write without authentication (INSECURE)" : "read only"
        }
        return out + "\n"
    }

    /// A human summary of a loaded directory.
    public static func summary(_ l: LoadedConfiguration, accounts: ProcessAccounts? = nil,
                               extraWarnings: [String] = []) -> String {
        let c = l.config
        let snapshot = ReservationSnapshot(reservations: l.reservations)
        let keys = snapshot.keyCounts
        var out = "\(l.directory): OK\n"
        out += "ids.json: v4 \(l.ids.v4), v6 \(l.ids.v6)\n"
        out += "config.json:\n"
        out += "  subnets_v4: \(c.subnetsV4.count) (\(c.subnetsV4.map { "\($0.net) gw \($0.gateway)" }.joined(separator: ", ")))\n"
        out += "  dns: v4 \(c.dnsV4.map(\.description).joined(separator: ", ")); v6 \(c.dnsV6.map(\.description).joined(separator: ", "))\n"
        out += "  extractors: option82 [\(c.option82Extractors.map(\.name).joined(separator: ", "))], "
            + "option1837 [\(c.option1837Extractors.map(\.name).joined(separator: ", "))], "
            + "mac [\(c.macExtractors.map(\.name).joined(separator: ", "))]\n"
        let t = c.leases
        out += "  leases: v4 \(t.v4Lease) s (T1 \(t.v4T1), T2 \(t.v4T2)); "
            + "v6 valid \(t.v6Valid) s, preferred \(t.v6Preferred) s (T1 \(t.v6T1), T2 \(t.v6T2))\n"
        out += "  bind: v4 \(c.v4BindAddress), v6 \(c.v6BindAddress); management "
            + "\(c.mgmtAddress?.description ?? "off")\(c.mgmtSocket.map { ", \($0)" } ?? "")"
            + "\(c.mgmtHTTPAddress.map { ", HTTP API \($0)" } ?? ""); events "
            + "\(c.events.tcp?.description ?? "off")\n"
        out += managementSummary(c, tokens: l.tokens)
        if let tls = c.mgmtTLS {
            out += "  management TLS: certificate \(tls.certFile)"
            if let ca = tls.clientCAFile {
                let roles = tls.clientRoles.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value.rawValue))" }
                out += "; client certificates required (CA \(ca)), client_roles: "
                    + (roles.isEmpty ? "none" : roles.joined(separator: ", "))
            }
            out += "\n"
        }
        let runAs = accounts.map { a in
            a.isShared ? a.configured : "v4 \(a.v4.name), v6 \(a.v6.name), ops \(a.ops.name)"
        } ?? c.user
        out += "  sandboxed processes run as \(runAs); state in \(c.stateDir); binding table up to \(c.bindingTableSize)\n"
        func limit(_ n: Int) -> String { n > 0 ? "\(n)/s" : "off" }
        out += "  rate limits: per client \(limit(c.rateLimits.perClientPerSecond)), "
            + "per relay \(limit(c.rateLimits.perRelayPerSecond))\n"
        out += levelsSummary(c)
        out += "reservations.json: \(l.reservations.count) reservation\(l.reservations.count == 1 ? "" : "s")\n"
        out += "  keys: mac \(keys.mac), duid \(keys.duid), option82 \(keys.option82), option1837 \(keys.option1837)"
            + " (\(snapshot.keyCount) in all)\n"
        out += optionsSummary(l, snapshot)
        var perSubnet = [Int](repeating: 0, count: c.subnetsV4.count)
        for r in l.reservations {
            if let i = c.subnetsV4.firstIndex(where: { $0.net.contains(r.ipv4) }) { perSubnet[i] += 1 }
        }
        if !c.subnetsV4.isEmpty {
            out += "  per subnet: " + zip(c.subnetsV4, perSubnet).map { "\($0.net) \($1)" }.joined(separator: ", ") + "\n"
        }
        let warnings = l.warnings + (c.mgmtTCPInsecureWrites && l.tokens == nil ? [insecureWritesWarning] : [])
            + extraWarnings
        if warnings.isEmpty {
            out += "warnings: none\n"
        } else {
            out += "warnings: \(warnings.count)\n" + warnings.map { "  \($0)\n" }.joined()
        }
        return out
    }
}
