/// The sections of `config.json`.
extension TreeDecoder {
    mutating func serverConfig(_ f: Fields) -> ServerConfig? {
        let dnsV4 = required(f, "dns_v4").flatMap { nonEmptyList($0, at: "dns_v4", "IPv4") { $0.ipv4($1, at: $2) } }
        let dnsV6 = required(f, "dns_v6").flatMap { nonEmptyList($0, at: "dns_v6", "IPv6") { $0.ipv6($1, at: $2) } }
        let ms = msClasslessRoutes(f["options_v4"])
        let subnets = required(f, "subnets_v4").flatMap {
            list($0, at: "subnets_v4") { $0.subnet($1, at: $2, msClasslessRoutes: ms) }
        }
        let o82 = f["option82_extractors"].map { option82Extractors($0, at: "option82_extractors") } ?? []
        let o1837 = f["option1837_extractors"].map { option1837Extractors($0, at: "option1837_extractors") } ?? []
        let mac = f["mac_extractors"].map { macExtractors($0, at: "mac_extractors") } ?? [.clientLinklayerAddress]
        let leases = leaseTimes(f)
        let logging = loggingSettings(f)
        let events = eventSettings(f)
        var config = ServerConfig(dnsV4: dnsV4 ?? [], dnsV6: dnsV6 ?? [], subnetsV4: subnets ?? [],
                                  option82Extractors: o82 ?? [], option1837Extractors: o1837 ?? [],
                                  macExtractors: mac ?? [], leases: leases ?? LeaseTimes(),
                                  logging: logging ?? LoggingSettings(), events: events ?? EventSettings())
        serviceSettings(f, into: &config)
        optionSettings(f, into: &config)
        return errors.isEmpty ? config : nil
    }

    /// A required list that must hold at least one address.
    mutating func nonEmptyList<T>(_ value: JSONValue, at path: String, _ family: String,
                                  _ element: (inout TreeDecoder, JSONValue, String) -> T?) -> [T]? {
        guard let items = list(value, at: path, element) else { return nil }
        if items.isEmpty { fail(path, "must contain at least one \(family) address") }
        return items
    }

    mutating func subnet(_ value: JSONValue, at path: String, msClasslessRoutes: Bool) -> SubnetV4? {
        guard let f = object(value, at: path, allowed: ConfigField.subnet) else { return nil }
        let before = errors.count
        var options = f["options_v4"].flatMap {
            optionLevel($0, at: f.path("options_v4"), .v4, .subnet, msClasslessRoutes: msClasslessRoutes)
        } ?? .empty
        options.leaseTime = f["v4_lease_time"].flatMap { levelLeaseTime($0, at: f.path("v4_lease_time")) }
        let relays = f["relays"].flatMap {
            list($0, at: f.path("relays")) { d, item, p in
                d.network(item, at: p, "IPv4 network", "a.b.c.d/len with len 0-32", IPv4Network.init) {
                    $0.network == $0.address ? nil : "\($0.network)/\($0.prefixLength)"
                }
            }
        } ?? []
        let net = required(f, "net").flatMap {
            parsed($0, at: f.path("net"), "IPv4 network", expected: "a.b.c.d/len with len 0-32", IPv4Network.init)
        }
        let gateway = required(f, "gateway").flatMap { ipv4($0, at: f.path("gateway")) }
        var replyLength: UInt8?
        if let v = f["reply_prefix_len"] {
            guard let n = integer(v, at: f.path("reply_prefix_len"), in: 0...32) else { return nil }
            replyLength = UInt8(n)
        }
        guard let net, let gateway, errors.count == before else { return nil }
        return SubnetV4(net: net, gateway: gateway, replyPrefixLength: replyLength, options: options, relays: relays)
    }

    mutating func leaseTimes(_ f: Fields) -> LeaseTimes? {
        let range: ClosedRange<Int64> = 0...Int64(UInt32.max)
        let v4 = f["v4_lease_time"].map { integer($0, at: "v4_lease_time", in: range) }
        let v6 = f["v6_lease_time"].map { integer($0, at: "v6_lease_time", in: range) }
        if v4 == .some(nil) || v6 == .some(nil) { return nil }
        return LeaseTimes(v4Lease: v4.map { UInt32($0!) } ?? 3600, v6Valid: v6.map { UInt32($0!) })
    }

    /// `port`, `user`, state and management settings.
    mutating func serviceSettings(_ f: Fields, into config: inout ServerConfig) {
        if let v = f["mgmt_tls"] { config.mgmtTLS = managementTLS(v, at: "mgmt_tls") }
        let tlsGiven = f["mgmt_tls"] != nil
        for name in ["mgmt_address", "mgmt_http_address"] {
            guard let v = f[name], let a = socketAddress(v, at: name) else { continue }
            if a.isLoopback || tlsGiven {
                if name == "mgmt_address" { config.mgmtAddress = a } else { config.mgmtHTTPAddress = a }
            } else {
                fail(name, "must be a loopback address (127.0.0.0/8 or [::1]) unless mgmt_tls is configured: "
                     + "tokens would cross the network in clear text, got \(a)")
            }
        }
        if let v = f["mgmt_socket"], let p = absolutePath(v, at: "mgmt_socket") {
            if p.utf8.count > ConfigField.maximumSocketPathLength {
                fail("mgmt_socket", "too long for a Unix socket path (at most "
                     + "\(ConfigField.maximumSocketPathLength) bytes, got \(p.utf8.count))")
            } else {
                config.mgmtSocket = p
            }
        }
        if let v = f["v4_bind_address"], let a = socketAddress(v, at: "v4_bind_address") {
            if case .v4 = a { config.v4BindAddress = a } else {
                fail("v4_bind_address", "must be an IPv4 socket address such as 0.0.0.0:67, got \(a)")
            }
        }
        if let v = f["v6_bind_address"], let a = socketAddress(v, at: "v6_bind_address") {
            if case .v6 = a { config.v6BindAddress = a } else {
                fail("v6_bind_address", "must be an IPv6 socket address such as [::]:547, got \(a)")
            }
        }
        if let v = f["user"], let u = nonEmptyString(v, at: "user") { config.user = u }
        if let v = f["state_dir"], let p = absolutePath(v, at: "state_dir") { config.stateDir = p }
        if let v = f["binding_table_size"], let n = integer(v, at: "binding_table_size", in: 1...Int64(Int.max)) {
            config.bindingTableSize = Int(n)
        }
        if let v = f["workers_v4"], let n = integer(v, at: "workers_v4", in: 1...64) { config.workersV4 = Int(n) }
        if let v = f["workers_v6"], let n = integer(v, at: "workers_v6", in: 1...64) { config.workersV6 = Int(n) }
        if let v = f["metrics_allow_remote"], let b = bool(v, at: "metrics_allow_remote") { config.metricsAllowRemote = b }
        if let v = f["metrics_address"], let a = socketAddress(v, at: "metrics_address") {
            if a.isLoopback || config.metricsAllowRemote {
                config.metricsAddress = a
            } else {
                fail("metrics_address", "must be a loopback address (127.0.0.0/8 or [::1]) unless metrics_allow_remote is true "
                     + "(/metrics is served without TLS: firewall it or put a TLS proxy in front), got \(a)")
            }
        }
        if let v = f["mgmt_tcp_insecure_writes"], let b = bool(v, at: "mgmt_tcp_insecure_writes") {
            config.mgmtTCPInsecureWrites = b
        }
        if let v = f["mgmt_auth"], let auth = managementAuth(v, at: "mgmt_auth") { config.mgmtAuth = auth }
        if let v = f["mgmt_max_request_bytes"],
           let n = integer(v, at: "mgmt_max_request_bytes", in: 1024...Int64(Int32.max)) {
            config.mgmtMaxRequestBytes = Int(n)
        }
        if let v = f["mgmt_max_connections"], let n = integer(v, at: "mgmt_max_connections", in: 1...65536) {
            config.mgmtMaxConnections = Int(n)
        }
        if let v = f["ha"] { config.ha = haSettings(v, at: "ha") }
        if let v = f["leasequery"] { config.leasequery = leasequerySettings(v, at: "leasequery") }
        if let v = f["rate_limits"], let limits = rateLimitSettings(v, at: "rate_limits") { config.rateLimits = limits }
        if config.leasequery != nil, config.workersV4 > 1 || config.workersV6 > 1 {
            // docs/leasequery.md, "One worker per protocol".
            fail("leasequery", "needs workers_v4 and workers_v6 of 1 (got \(config.workersV4) and \(config.workersV6)): "
                 + "each worker knows only the clients it served itself, so another worker would answer "
                 + "a served client as unassigned")
        }
        if config.leasequery != nil, config.ha != nil {
            // docs/leasequery.md, "Not with high availability".
            fail("leasequery", "cannot be used with ha: last-served times are not shared between servers, so this "
                 + "server would answer a client its peer served as unassigned")
        }
    }

    /// `mgmt_auth`: `tokens_file`, `unix_group`, `unix_group_role`.
    mutating func managementAuth(_ value: JSONValue, at path: String) -> ManagementAuthSettings? {
        guard let f = object(value, at: path, allowed: ConfigField.mgmtAuth) else { return nil }
        var auth = ManagementAuthSettings()
        let before = errors.count
        if let v = f["tokens_file"] { auth.tokensFile = absolutePath(v, at: f.path("tokens_file")) }
        if let v = f["unix_group"] { auth.unixGroup = nonEmptyString(v, at: f.path("unix_group")) }
        if let v = f["unix_group_role"], let role = managementRole(v, at: f.path("unix_group_role")) {
            auth.unixGroupRole = role
        }
        return errors.count == before ? auth : nil
    }

    /// `mgmt_tls`: `cert_file`, `key_file`, `client_ca_file`, `client_roles` (the files are read
    /// and checked by the master, ConfigDirectory).
    mutating func managementTLS(_ value: JSONValue, at path: String) -> ManagementTLSSettings? {
        guard let f = object(value, at: path, allowed: ConfigField.mgmtTLS) else { return nil }
        let before = errors.count
        let cert = required(f, "cert_file").flatMap { absolutePath($0, at: f.path("cert_file")) }
        let key = required(f, "key_file").flatMap { absolutePath($0, at: f.path("key_file")) }
        let ca = f["client_ca_file"].flatMap { absolutePath($0, at: f.path("client_ca_file")) }
        var roles: [String: ManagementRole] = [:]
        if let v = f["client_roles"] {
            if case .object(let members) = v {
                for m in members {
                    let at = f.path("client_roles") + ".\(m.name)"
                    if m.name.isEmpty { fail(at, "a certificate CN must not be empty"); continue }
                    if let role = managementRole(m.value, at: at) { roles[m.name] = role }
                }
                if f["client_ca_file"] == nil && !members.isEmpty {
                    fail(f.path("client_roles"), "needs client_ca_file: without it no client certificate is asked for")
                }
            } else {
                fail(f.path("client_roles"), "expected an object of certificate CN to role, got \(v.kind.withArticle)")
            }
        }
        guard errors.count == before, let cert, let key else { return nil }
        return ManagementTLSSettings(certFile: cert, keyFile: key, clientCAFile: ca, clientRoles: roles)
    }

    /// `read` or `admin`.
    mutating func managementRole(_ value: JSONValue, at path: String) -> ManagementRole? {
        guard let s = string(value, at: path) else { return nil }
        guard let role = ManagementRole(rawValue: s) else {
            fail(path, "unknown role \(quoted(s)); expected \"read\" or \"admin\"")
            return nil
        }
        return role
    }

    mutating func absolutePath(_ value: JSONValue, at path: String) -> String? {
        guard let s = nonEmptyString(value, at: path) else { return nil }
        guard s.hasPrefix("/") else { fail(path, "must be an absolute path, got \(quoted(s))"); return nil }
        return s
    }

    // MARK: Scalars shared with ids.json

    mutating func ipv4(_ value: JSONValue, at path: String) -> IPv4Address? {
        parsed(value, at: path, "IPv4 address", expected: "a dotted quad such as 192.0.2.1, without leading zeros",
               IPv4Address.init)
    }

    mutating func ipv6(_ value: JSONValue, at path: String) -> IPv6Address? {
        parsed(value, at: path, "IPv6 address", expected: "an address such as 2001:db8::1, without zone",
               IPv6Address.init)
    }

    mutating func socketAddress(_ value: JSONValue, at path: String) -> SocketAddress? {
        parsed(value, at: path, "socket address", expected: "ip:port or [ipv6]:port", SocketAddress.init)
    }

    mutating func duid(_ value: JSONValue, at path: String) -> DUID? {
        guard let s = string(value, at: path) else { return nil }
        switch DUID.parse(s) {
        case .success(let d): return d
        case .failure(let e):
            fail(path, "\(e) \(quoted(s)); expected hex bytes separated by ':' or '-', such as 00:03:00:01:02:00:5e:00:00:01")
            return nil
        }
    }
}

/// `tokens.json`.
extension TreeDecoder {
    mutating func tokenEntry(_ value: JSONValue, at path: String) -> TokenTable.Entry? {
        guard let f = object(value, at: path, allowed: ConfigField.token) else { return nil }
        let name = required(f, "name").flatMap { nonEmptyString($0, at: f.path("name")) }
        let role = required(f, "role").flatMap { managementRole($0, at: f.path("role")) }
        let hash = required(f, "sha256").flatMap { sha256($0, at: f.path("sha256")) }
        guard let name, let role, let hash else { return nil }
        return TokenTable.Entry(name: name, role: role, sha256: hash)
    }

    /// 64 hex digits (either case): 32 bytes.
    mutating func sha256(_ value: JSONValue, at path: String) -> [UInt8]? {
        guard let s = string(value, at: path) else { return nil }
        let digits = Array(s.utf8)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        if digits.count == 64 {
            for i in stride(from: 0, to: 64, by: 2) {
                guard let hi = nibble(digits[i]), let lo = nibble(digits[i + 1]) else { break }
                out.append(hi << 4 | lo)
            }
        }
        guard out.count == 32 else {
            fail(path, "expected the SHA-256 of the token as 64 hex digits, got \(digits.count == 64 ? "a non-hex digit" : "\(digits.count) characters")")
            return nil
        }
        return out
    }
}
