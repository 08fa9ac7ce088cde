/// Loads `ids.json` and `config.json` from their bytes (the caller reads the files).
///
/// Both upstream generations of `config.json` are accepted (the seed's `log_level` and
/// `events_address`, HEAD's `logging` and `events`); giving both spellings of one setting is an
/// error. Every problem is reported, each as `<file>: <json path>: <message>`.
public enum ConfigurationLoader {
    /// Parses and validates `ids.json`.
    public static func loadIdentifiers(_ bytes: [UInt8], fileName: String = "ids.json")
        throws(LoadError) -> ServerIdentifiers {
        var d = TreeDecoder(file: fileName)
        let root = try parseTree(bytes, fileName: fileName)
        guard let f = d.object(root, at: "", allowed: ["v4", "v6"]) else { throw LoadError(errors: d.errors) }
        let v4 = d.required(f, "v4").flatMap { d.ipv4($0, at: "v4") }
        let v6 = d.required(f, "v6").flatMap { d.duid($0, at: "v6") }
        guard d.errors.isEmpty, let v4, let v6 else { throw LoadError(errors: d.errors) }
        return ServerIdentifiers(v4: v4, v6: v6)
    }

    /// Parses and validates `config.json`, applying the defaults of docs/configuration.md.
    public static func loadConfig(_ bytes: [UInt8], fileName: String = "config.json")
        throws(LoadError) -> ServerConfig {
        var d = TreeDecoder(file: fileName)
        let root = try parseTree(bytes, fileName: fileName)
        guard let f = d.object(root, at: "", allowed: ConfigField.topLevel) else {
            throw LoadError(errors: d.errors)
        }
        let config = d.serverConfig(f)
        guard d.errors.isEmpty, let config else { throw LoadError(errors: d.errors) }
        return config
    }

    /// Parses and validates `tokens.json` (`{"tokens": [{"name", "role", "sha256"}, …]}`): pure, so
    /// the process that serves management can parse the very bytes the master read.
    ///
    /// Every entry needs a unique non-empty `name`, a `role` (`read` or `admin`) and `sha256`, the
    /// SHA-256 of the token as 64 hex digits. Every problem is reported as
    /// `tokens.json: tokens[INDEX].FIELD: message`.
    public static func loadTokens(_ bytes: [UInt8], fileName: String = "tokens.json") throws(LoadError) -> TokenTable {
        var d = TreeDecoder(file: fileName)
        let root = try parseTree(bytes, fileName: fileName)
        guard let f = d.object(root, at: "", allowed: ConfigField.tokens) else { throw LoadError(errors: d.errors) }
        let entries = d.required(f, "tokens").flatMap { d.list($0, at: "tokens") { $0.tokenEntry($1, at: $2) } }
        if let entries {
            var seen: [String: Int] = [:]
            for (i, e) in entries.enumerated() {
                if let first = seen[e.name] {
                    d.fail("tokens[\(i)].name", "duplicate name \(quoted(e.name)) (also tokens[\(first)])")
                } else {
                    seen[e.name] = i
                }
            }
        }
        guard d.errors.isEmpty, let entries else { throw LoadError(errors: d.errors) }
        return TokenTable(entries: entries)
    }

    /// Every Option 82 extractor name, sorted.
    public static var option82ExtractorNames: [String] { Option82Extractor.allCases.map(\.name).sorted() }
    /// Every Option 18/37 extractor name, sorted.
    public static var option1837ExtractorNames: [String] { Option1837Extractor.allCases.map(\.name).sorted() }

    static func parseTree(_ bytes: [UInt8], fileName: String) throws(LoadError) -> JSONValue {
        do {
            return try JSONValue.parse(bytes)
        } catch {
            var errors = DiagnosticList()
            errors.append(Diagnostic(.error, fileName, error.description))
            throw LoadError(errors: errors)
        }
    }
}

/// Field names of `config.json`, in documentation order (the order "allowed:" lists them in).
enum ConfigField {
    static let topLevel = [
        "dns_v4", "dns_v6", "subnets_v4", "option82_extractors", "option1837_extractors", "mac_extractors",
        "v4_lease_time", "v6_lease_time", "logging", "log_level", "events", "events_address",
        "mgmt_address", "mgmt_socket", "v4_bind_address", "v6_bind_address", "user", "state_dir",
        "binding_table_size", "metrics_address", "mgmt_max_request_bytes", "mgmt_max_connections",
        "workers_v4", "workers_v6", "mgmt_auth", "mgmt_tcp_insecure_writes", "metrics_allow_remote",
        "mgmt_tls", "mgmt_http_address", "ha", "options_v4", "options_v6", "subnets_v6", "leasequery",
        "rate_limits",
    ]
    static let mgmtTLS = ["cert_file", "key_file", "client_ca_file", "client_roles"]
    static let mgmtAuth = ["tokens_file", "unix_group", "unix_group_role"]
    static let tokens = ["tokens"]
    static let token = ["name", "role", "sha256"]
    static let subnet = ["net", "gateway", "reply_prefix_len", "options_v4", "v4_lease_time", "relays"]
    static let subnetV6 = ["link", "options_v6", "v6_lease_time", "relays"]
    static let logging = ["level", "stdout", "file", "format", "child_lines_per_s"]
    static let loggingFile = ["path", "max_files"]
    static let events = ["queue_size", "tcp", "clickhouse"]
    static let clickhouse = ["url", "user", "password", "database", "hostname"]
    static let ha = ["this_server", "mode", "primary", "listen", "key_file", "peers", "heartbeat_ms",
                     "max_missed_heartbeats"]
    static let haPeer = ["name", "address"]
    static let leasequery = ["enabled", "allowed", "bulk", "bulk_max_connections", "bulk_max_message_bytes",
                             "bulk_idle_timeout_seconds", "bulk_lifetime_seconds"]
    static let rateLimits = ["per_client_per_s", "per_relay_per_s"]
    /// Longest Unix socket path (`sun_path` holds 108 bytes including the terminating NUL).
    static let maximumSocketPathLength = 107
}
