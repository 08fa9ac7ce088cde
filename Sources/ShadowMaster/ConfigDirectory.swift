import NIOSSL
import ShadowCore
import ShadowSystem

/// Everything `shadow-master` reads from its configuration directory, validated.
public struct LoadedConfiguration: Sendable {
    public var directory: String
    public var ids: ServerIdentifiers
    public var config: ServerConfig
    public var reservations: [Reservation]
    /// `reservations.json` exactly as loaded, when it is large enough for a reservation memo
    /// (``ReservationMemo/minimumArrayBytes``): the master builds its first memo from these bytes
    /// in the background once the workers serve them.
    public var reservationsBytes: [UInt8]?
    /// Warnings from every file, as `file: path: message` lines.
    public var warnings: [String]
    /// `ids.json` and `config.json` exactly as loaded (the workers get these bytes).
    public var idsBytes: [UInt8]
    public var configBytes: [UInt8]
    /// `mgmt_auth.tokens_file`, parsed, when configured.
    public var tokens: TokenTable?
    /// Its bytes exactly as read (what the management process parses with the same function).
    public var tokensBytes: [UInt8]?
    /// `ha.key_file`'s content (the HA shared key), when `ha` is configured.
    public var haKey: [UInt8]?
    /// `mgmt_tls`'s certificate, key and client CA, read and checked, when configured.
    public var tls: TLSFiles?
}

/// Problems that stop a configuration directory (or a reservations reload) from loading: every
/// one found, each naming file, path and what is wrong.
public struct ConfigurationProblems: Error, Sendable, CustomStringConvertible {
    public var lines: [String]
    public var description: String { lines.joined(separator: "\n") }
}

/// Reads `ids.json`, `config.json` and `reservations.json` from a directory.
public enum ConfigDirectory {
    public static func path(_ directory: String, _ file: String) -> String {
        directory.hasSuffix("/") ? directory + file : directory + "/" + file
    }

    /// Loads and validates the whole directory. Problems in all three files are reported together.
    /// `reservations.json` is checked against the subnets of `config.json`; when `config.json` did
    /// not load, it is still checked for everything else (every `ipv4` counts as inside a subnet),
    /// so one run lists every problem. A missing `reservations.json` is a warning: the server
    /// starts with none.
    public static func load(_ directory: String) throws(ConfigurationProblems) -> LoadedConfiguration {
        var problems: [String] = []
        var warnings: [String] = []
        let ids = loadFile(directory, "ids.json", into: &problems) {
            (bytes: [UInt8]) throws(LoadError) in try ConfigurationLoader.loadIdentifiers(bytes)
        }
        let config = loadFile(directory, "config.json", into: &problems) {
            (bytes: [UInt8]) throws(LoadError) in try ConfigurationLoader.loadConfig(bytes)
        }
        var reservations: [Reservation] = []
        var reservationsBytes: [UInt8]?
        do {
            var none: ReservationMemo?
            let loaded = try loadReservations(directory, subnets: config?.value.subnetsV4 ?? unknownSubnets,
                                              msClasslessRoutes: config?.value.msClasslessRoutes ?? false,
                                              missingIsEmpty: true, memo: &none, keepingBytes: &reservationsBytes)
            reservations = loaded.value
            warnings += loaded.warnings.lines
        } catch {
            problems += error.lines
        }
        var tokens: (value: TokenTable, bytes: [UInt8])?
        if let file = config?.value.mgmtAuth.tokensFile { tokens = loadTokens(file, into: &problems) }
        var haKey: [UInt8]?
        if let file = config?.value.ha?.keyFile { haKey = loadHAKey(file, into: &problems) }
        var tls: TLSFiles?
        if let settings = config?.value.mgmtTLS { tls = TLSFiles.load(settings, into: &problems) }
        if config?.value.events.clickhouse?.endpoint?.scheme == .https {
            checkSystemTrustStore(into: &problems)
        }
        guard problems.isEmpty, let ids, let config else { throw ConfigurationProblems(lines: problems) }
        return LoadedConfiguration(directory: directory, ids: ids.value, config: config.value,
                                   reservations: reservations, reservationsBytes: reservationsBytes, warnings: warnings,
                                   idsBytes: ids.bytes, configBytes: config.bytes,
                                   tokens: tokens?.value, tokensBytes: tokens?.bytes, haKey: haKey, tls: tls)
    }

    /// An https `events.clickhouse.url` needs the system's trust store, which `shadow-ops` reads
    /// before its sandbox: one of ``ClickHouseURL/systemTrustBundles`` must hold PEM certificates.
    static func checkSystemTrustStore(into problems: inout [String]) {
        for path in ClickHouseURL.systemTrustBundles {
            if let certificates = try? NIOSSLCertificate.fromPEMFile(path), !certificates.isEmpty { return }
        }
        problems.append("""
            config.json: events.clickhouse.url: https needs the system trust store, and none of \
            \(ClickHouseURL.systemTrustBundles.joined(separator: ", ")) holds a PEM certificate (install ca-certificates)
            """)
    }

    /// Reads `tokens_file` (an absolute path) as a secret file (``readSecret(_:setting:holds:into:)``).
    static func loadTokens(_ file: String, into problems: inout [String]) -> (value: TokenTable, bytes: [UInt8])? {
        guard let bytes = readSecret(file, setting: "mgmt_auth.tokens_file", holds: "management token hashes",
                                     into: &problems) else { return nil }
        do {
            return (try ConfigurationLoader.loadTokens(bytes, fileName: file), bytes)
        } catch {
            problems += error.errors.lines
            return nil
        }
    }

    /// Reads `ha.key_file` as a secret file: its whole content is the HA shared key, at least
    /// ``HASettings/minimumKeyBytes`` bytes.
    static func loadHAKey(_ file: String, into problems: inout [String]) -> [UInt8]? {
        guard let bytes = readSecret(file, setting: "ha.key_file", holds: "the HA shared key", into: &problems)
        else { return nil }
        guard bytes.count >= HASettings.minimumKeyBytes else {
            problems.append("\(file): \(bytes.count) bytes; the HA shared key must be at least "
                            + "\(HASettings.minimumKeyBytes) bytes (shadowctl ha-key new \(file)) (config.json: ha.key_file)")
            return nil
        }
        return bytes
    }

    /// A file that holds a secret: refused (with a problem naming `setting`) when it cannot be
    /// read or when group or others may read or write it — it must be mode 0600 or 0400.
    static func readSecret(_ file: String, setting: String, holds what: String,
                           into problems: inout [String]) -> [UInt8]? {
        do {
            let (mode, _) = try FileSystem.permissions(of: file)
            if mode & 0o066 != 0 {
                problems.append("\(file): mode \(String(mode, radix: 8)) lets group or others read or write it; "
                                + "it holds \(what): chmod 600 \(file) (config.json: \(setting))")
                return nil
            }
            return try FileBytes.read(file)
        } catch let e as FileBytes.ReadError {
            problems.append(e.description + " (config.json: \(setting))")
        } catch {
            problems.append("Cannot read `\(file)`: \(error) (config.json: \(setting))")
        }
        return nil
    }

    /// Reads and validates `reservations.json` (start-up, SIGHUP and the management `reload`).
    /// - Parameter missingIsEmpty: at start-up a missing file means no reservations (with a
    ///   warning); on reload it is an error.
    public static func loadReservations(_ directory: String, config: ServerConfig, missingIsEmpty: Bool = false)
        throws(ConfigurationProblems) -> Loaded<[Reservation]> {
        var none: ReservationMemo?
        return try loadReservations(directory, subnets: config.subnetsV4, msClasslessRoutes: config.msClasslessRoutes,
                                    missingIsEmpty: missingIsEmpty, memo: &none)
    }

    /// ``loadReservations(_:config:missingIsEmpty:)`` taking the entries whose bytes did not change
    /// from `memo` (the memo of the last load, ``ReservationMemo``), which a successful load
    /// replaces with its own and a failed one leaves as it was.
    public static func loadReservations(_ directory: String, config: ServerConfig, memo: inout ReservationMemo)
        throws(ConfigurationProblems) -> Loaded<[Reservation]> {
        var kept: ReservationMemo? = memo
        let loaded = try loadReservations(directory, subnets: config.subnetsV4, msClasslessRoutes: config.msClasslessRoutes,
                                          missingIsEmpty: false, memo: &kept)
        if let kept { memo = kept }
        return loaded
    }

    /// Stands in for `subnets_v4` when `config.json` did not load: contains every address, so the
    /// subnet rule reports nothing it cannot know.
    static let unknownSubnets = [SubnetV4(net: IPv4Network(address: .any, prefixLength: 0), gateway: .any)]

    static func loadReservations(_ directory: String, subnets: [SubnetV4], msClasslessRoutes: Bool, missingIsEmpty: Bool,
                                 memo: inout ReservationMemo?) throws(ConfigurationProblems) -> Loaded<[Reservation]> {
        var bytes: [UInt8]?
        return try loadReservations(directory, subnets: subnets, msClasslessRoutes: msClasslessRoutes,
                                    missingIsEmpty: missingIsEmpty, memo: &memo, keepingBytes: &bytes)
    }

    /// ``loadReservations(_:subnets:msClasslessRoutes:missingIsEmpty:memo:)`` that also hands back
    /// the file as read in `keepingBytes` when it is large enough for a memo.
    static func loadReservations(_ directory: String, subnets: [SubnetV4], msClasslessRoutes: Bool, missingIsEmpty: Bool,
                                 memo: inout ReservationMemo?, keepingBytes: inout [UInt8]?)
        throws(ConfigurationProblems) -> Loaded<[Reservation]> {
        let file = path(directory, "reservations.json")
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(file)
        } catch {
            if error.isMissing && missingIsEmpty {
                var w = DiagnosticList()
                w.append(Diagnostic(.warning, file, "No reservations.json found, starting with empty reservations"))
                return Loaded(value: [], warnings: w)
            }
            throw ConfigurationProblems(lines: [error.description])
        }
        if bytes.count >= ReservationMemo.minimumArrayBytes { keepingBytes = bytes }
        do {
            guard var given = memo else {
                return try ReservationLoader.load(bytes, subnets: subnets, msClasslessRoutes: msClasslessRoutes,
                                                  work: .threads)
            }
            let loaded = try ReservationLoader.load(bytes, subnets: subnets, msClasslessRoutes: msClasslessRoutes,
                                                    work: .threads, memo: &given)
            memo = given
            return loaded
        } catch {
            throw ConfigurationProblems(lines: error.errors.lines)
        }
    }

    static func loadFile<T>(_ directory: String, _ name: String, into problems: inout [String],
                                    _ parse: ([UInt8]) throws(LoadError) -> T) -> (value: T, bytes: [UInt8])? {
        let file = path(directory, name)
        do {
            let bytes = try FileBytes.read(file)
            return (try parse(bytes), bytes)
        } catch let e as FileBytes.ReadError {
            problems.append(e.description + " (is --configdir right?)")
        } catch let e as LoadError {
            problems += e.errors.lines
        } catch {
            problems.append("\(file): \(error)")
        }
        return nil
    }
}
