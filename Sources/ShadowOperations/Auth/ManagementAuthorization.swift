import ShadowCore

/// Who may do what on the management interface (docs/management.md, "Who may do what").
///
/// Built by the master from `config.json` (`mgmt_auth`, `mgmt_tcp_insecure_writes`), the bytes
/// of `tokens.json` and `unix_group` resolved to uids; a pure value, so the sandboxed process
/// that serves management needs no file and no user database.
public struct ManagementAuthorization: Sendable, Hashable {
    /// `tokens.json`; nil when `mgmt_auth.tokens_file` is not set.
    public var tokens: TokenTable?
    /// `mgmt_auth.unix_group`, resolved.
    public var unixGroup: ResolvedGroup?
    /// `mgmt_auth.unix_group_role`.
    public var unixGroupRole: ManagementRole
    /// `mgmt_tcp_insecure_writes`: without tokens, TCP clients may change state.
    public var tcpInsecureWrites: Bool
    /// `mgmt_tls.client_roles`: a verified client certificate's subject CN → its role.
    public var clientRoles: [String: ManagementRole]

    public init(tokens: TokenTable? = nil, unixGroup: ResolvedGroup? = nil, unixGroupRole: ManagementRole = .read,
                tcpInsecureWrites: Bool = false, clientRoles: [String: ManagementRole] = [:]) {
        self.tokens = tokens
        self.unixGroup = unixGroup
        self.unixGroupRole = unixGroupRole
        self.tcpInsecureWrites = tcpInsecureWrites
        self.clientRoles = clientRoles
    }

    /// The text of the refusal of a change over TCP without tokens.
    public static let tokensRequired = "authentication required: set mgmt_auth.tokens_file"

    /// Why a request was refused.
    public struct Refusal: Error, Sendable, Hashable {
        /// The response's `error`.
        public var message: String
        /// Counted as a failed authentication of the peer (bad or missing credentials, as
        /// opposed to a valid identity asking for too much).
        public var failedAuthentication: Bool
        /// Who the peer was recognised as, when it was.
        public var identity: ManagementIdentity?
    }

    /// The identity `peer` gets for `command` with `token` (the request's `token`, already checked
    /// to be a string of an acceptable length), or why it is refused.
    public func decide(peer: ManagementPeer, command: String, token: String?) -> Result<ManagementIdentity, Refusal> {
        let needed = CommandPermissions.requiredRole(for: command)
        var entry: TokenTable.Entry?
        if let token {
            guard let tokens else {
                return .failure(Refusal(message: "authentication failed: this server has no tokens "
                                        + "(mgmt_auth.tokens_file is not set)", failedAuthentication: true))
            }
            guard let match = TokenDigest.match(token, in: tokens) else {
                return .failure(Refusal(message: "authentication failed: unknown token", failedAuthentication: true))
            }
            entry = match
        }
        let identity: ManagementIdentity
        switch peer.transport {
        case .unix:
            guard let c = peer.credentials else {
                return .failure(Refusal(message: "authentication failed: cannot identify the peer of the Unix socket",
                                        failedAuthentication: true))
            }
            let base: ManagementRole
            if c.uid == 0 {
                base = .admin
            } else if let unixGroup, unixGroup.contains(uid: c.uid, gid: c.gid) {
                base = unixGroupRole
            } else {
                return .failure(Refusal(message: "authentication failed: uid \(c.uid) is neither root nor a member "
                                        + "of mgmt_auth.unix_group", failedAuthentication: true))
            }
            identity = ManagementIdentity(tokenName: entry?.name, credentials: c, role: max(base, entry?.role ?? .read))
        case .tcp, .tls, .http, .https:
            if let cn = peer.certificateCN {
                // Verified against client_ca_file by the TLS handshake; the CN names the client.
                guard let role = clientRoles[cn] else {
                    return .failure(Refusal(message: "authentication failed: certificate CN \"\(cn)\" is not in "
                                            + "mgmt_tls.client_roles", failedAuthentication: true))
                }
                identity = ManagementIdentity(certificateCN: cn, tokenName: entry?.name,
                                              role: max(role, entry?.role ?? .read))
            } else if tokens != nil {
                guard let entry else {
                    return .failure(Refusal(message: "authentication required: this server needs a token "
                                            + "(shadowctl --token-file)", failedAuthentication: true))
                }
                identity = ManagementIdentity(tokenName: entry.name, role: entry.role)
            } else {
                identity = ManagementIdentity(role: tcpInsecureWrites ? .admin : .read)
                if needed == .admin && !tcpInsecureWrites {
                    return .failure(Refusal(message: Self.tokensRequired, failedAuthentication: false,
                                            identity: identity))
                }
            }
        }
        guard identity.role >= needed else {
            return .failure(Refusal(message: "permission denied: `\(command)` needs role \(needed.rawValue), "
                                    + "\(identity) has role \(identity.role.rawValue)",
                                    failedAuthentication: false, identity: identity))
        }
        return .success(identity)
    }
}
