/// `events.clickhouse.url` parsed: `http` or `https`, a host that needs no name resolution (an
/// IPv4 literal, a bracketed IPv6 literal or `localhost`), an optional port (default 8123 for
/// http, 8443 for https) and an optional path prefix (a proxy's), without credentials, query or
/// fragment.
///
/// Only such hosts are accepted because the ClickHouse writer runs in `shadow-ops`, whose sandbox
/// can open no file (no `/etc/resolv.conf`, no `/etc/hosts`) and may start no resolver thread.
public struct ClickHouseURL: Hashable, Sendable, CustomStringConvertible {
    public enum Scheme: String, Hashable, Sendable { case http, https }

    public enum Host: Hashable, Sendable {
        case v4(IPv4Address)
        case v6(IPv6Address)
        /// Connects to 127.0.0.1; TLS checks the certificate for the name `localhost`.
        case localhost
    }

    public var scheme: Scheme
    public var host: Host
    public var port: UInt16
    /// The path prefix without a trailing `/` (empty for the root).
    public var path: String

    /// Parses `text`; the error says what is wrong (for `config.json: events.clickhouse.url: …`).
    public init(parsing text: String) throws(ClickHouseURLError) {
        let lowered = text.lowercased()
        let scheme: Scheme
        let afterScheme: Int
        if lowered.hasPrefix("http://") {
            (scheme, afterScheme) = (.http, 7)
        } else if lowered.hasPrefix("https://") {
            (scheme, afterScheme) = (.https, 8)
        } else {
            throw ClickHouseURLError("must start with http:// or https://")
        }
        var rest = text.dropFirst(afterScheme)
        if rest.contains(where: { $0 == "?" || $0 == "#" }) { throw ClickHouseURLError("must have no query or fragment") }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        rest = rest[slash...]
        if authority.contains("@") {
            throw ClickHouseURLError("must carry no credentials (use events.clickhouse.user and password)")
        }
        let hostText: Substring, portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw ClickHouseURLError("unterminated [IPv6 address]") }
            hostText = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                portText = nil
            } else if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else {
                throw ClickHouseURLError("unexpected \"\(after)\" after the IPv6 address")
            }
            guard let a = IPv6Address(hostText) else { throw ClickHouseURLError("\"\(hostText)\" is not an IPv6 address") }
            host = .v6(a)
        } else {
            let colon = authority.firstIndex(of: ":")
            hostText = authority[..<(colon ?? authority.endIndex)]
            portText = colon.map { authority[authority.index(after: $0)...] }
            if let a = IPv4Address(hostText) {
                host = .v4(a)
            } else if hostText.lowercased() == "localhost" {
                host = .localhost
            } else if hostText.isEmpty {
                throw ClickHouseURLError("has no host")
            } else {
                throw ClickHouseURLError("""
                    host "\(hostText)" must be an IP address or localhost (shadow-ops cannot resolve \
                    names in its sandbox)
                    """)
            }
        }
        if let portText {
            guard let p = UInt16(portText), p > 0, portText.allSatisfy(\.isASCII) else {
                throw ClickHouseURLError("port \"\(portText)\" is not 1-65535")
            }
            port = p
        } else {
            port = scheme == .https ? 8443 : 8123
        }
        var path = String(rest)
        while path.hasSuffix("/") { path.removeLast() }
        if path.contains(where: { $0 == " " || $0 == "%" || !$0.isASCII }) {
            throw ClickHouseURLError("the path must be plain ASCII without spaces or escapes")
        }
        self.scheme = scheme
        self.path = path
    }

    /// Where the system's TLS trust store is looked for, first found wins (the bundle files
    /// NIOSSL's default trust uses): for an https URL, `shadow-ops` loads it before its sandbox.
    public static let systemTrustBundles = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"]

    /// The host as written in a URL and a `Host` header (`[…]` around IPv6).
    public var hostText: String {
        switch host {
        case .v4(let a): "\(a)"
        case .v6(let a): "[\(a)]"
        case .localhost: "localhost"
        }
    }

    /// The address to connect to (`localhost` is 127.0.0.1).
    public var address: SocketAddress {
        switch host {
        case .v4(let a): .v4(a, port: port)
        case .v6(let a): .v6(a, port: port)
        case .localhost: .v4(IPv4Address(127, 0, 0, 1), port: port)
        }
    }

    /// `scheme://host:port/path`, as it is logged.
    public var description: String { "\(scheme.rawValue)://\(hostText):\(port)\(path)" }
}

/// Why `events.clickhouse.url` was refused.
public struct ClickHouseURLError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
