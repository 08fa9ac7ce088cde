/// What a management client may do: `read` commands only, or everything (`admin`).
public enum ManagementRole: String, Sendable, Hashable, CaseIterable, Comparable {
    case read, admin

    public static func < (a: Self, b: Self) -> Bool { a == .read && b == .admin }
}

/// `mgmt_auth` of `config.json`: who may use the management interface (docs/management.md).
public struct ManagementAuthSettings: Hashable, Sendable {
    /// `tokens_file`: the `tokens.json` holding the token hashes; nil means no tokens.
    public var tokensFile: String?
    /// `unix_group`: members may use the Unix socket, which is then mode 0660 root:group.
    public var unixGroup: String?
    /// `unix_group_role`: what members of ``unixGroup`` may do (default `read`).
    public var unixGroupRole: ManagementRole

    public init(tokensFile: String? = nil, unixGroup: String? = nil, unixGroupRole: ManagementRole = .read) {
        self.tokensFile = tokensFile
        self.unixGroup = unixGroup
        self.unixGroupRole = unixGroupRole
    }
}

/// `unix_group` resolved by the master at start (the sandboxed operations process cannot read
/// `/etc/group` or `/etc/passwd`): the gid and every uid that belongs to it, as primary group
/// (`/etc/passwd`) or as a listed member (`/etc/group`).
public struct ResolvedGroup: Hashable, Sendable {
    public var name: String
    public var gid: UInt32
    public var memberUIDs: Set<UInt32>

    public init(name: String, gid: UInt32, memberUIDs: Set<UInt32>) {
        self.name = name
        self.gid = gid
        self.memberUIDs = memberUIDs
    }

    /// True for a peer whose uid is a member or whose (effective) gid is the group's.
    public func contains(uid: UInt32, gid: UInt32) -> Bool { memberUIDs.contains(uid) || gid == self.gid }
}

/// `tokens.json`: the management tokens, by name, role and the SHA-256 of the token (never the
/// token itself).
public struct TokenTable: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var name: String
        public var role: ManagementRole
        /// The 32 bytes of the SHA-256 of the token's UTF-8 bytes.
        public var sha256: [UInt8]

        public init(name: String, role: ManagementRole, sha256: [UInt8]) {
            self.name = name
            self.role = role
            self.sha256 = sha256
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }
}

/// `mgmt_tls`: TLS for the management TCP line protocol (`mgmt_address`) and the HTTP API
/// (`mgmt_http_address`). The master reads the files (ops, chrooted, cannot) and passes their bytes.
public struct ManagementTLSSettings: Hashable, Sendable {
    /// `cert_file`: the server certificate (PEM; a chain may follow it).
    public var certFile: String
    /// `key_file`: its private key (PEM).
    public var keyFile: String
    /// `client_ca_file`: when set, a client certificate signed by one of these CAs is required,
    /// and its subject CN is the client's identity.
    public var clientCAFile: String?
    /// `client_roles`: certificate subject CN → role. A CN not listed is refused.
    public var clientRoles: [String: ManagementRole]

    public init(certFile: String, keyFile: String, clientCAFile: String? = nil,
                clientRoles: [String: ManagementRole] = [:]) {
        self.certFile = certFile
        self.keyFile = keyFile
        self.clientCAFile = clientCAFile
        self.clientRoles = clientRoles
    }
}
