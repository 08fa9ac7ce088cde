import ShadowCore

/// The process at the other end of a Unix socket, from SO_PEERCRED. Laid out as `struct ucred`
/// (pid, uid, gid; 12 bytes), so it can be read with getsockopt(2).
public struct PeerCredentials: Sendable, Hashable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }
}

/// Who sent a management request, as far as the transport tells.
public struct ManagementPeer: Sendable, Hashable, CustomStringConvertible {
    /// How the request arrived: the line protocol over TCP (`tcp`) or TLS (`tls`), the HTTP API
    /// over plain HTTP (`http`) or HTTPS (`https`), or the Unix socket (`unix`).
    public enum Transport: String, Sendable, Hashable {
        case tcp, tls, http, https, unix

        /// Over the network (an IP address and port), not the Unix socket.
        public var isNetwork: Bool { self != .unix }

        /// The same listener kind with TLS on (`tcp` → `tls`, `http` → `https`).
        public var secured: Transport {
            switch self {
            case .tcp: .tls
            case .http: .https
            default: self
            }
        }
    }

    public var transport: Transport
    /// `ip:port` for TCP; the socket path for a Unix socket.
    public var address: String
    /// The peer process (Unix socket only).
    public var credentials: PeerCredentials?
    /// The subject CN of the client certificate, verified against `mgmt_tls.client_ca_file`
    /// (TLS with a client CA only).
    public var certificateCN: String?

    public init(transport: Transport, address: String, credentials: PeerCredentials? = nil,
                certificateCN: String? = nil) {
        self.transport = transport
        self.address = address
        self.credentials = credentials
        self.certificateCN = certificateCN
    }

    /// A TCP peer at `address` (`ip:port`).
    public static func tcp(_ address: String) -> Self { Self(transport: .tcp, address: address) }

    /// A Unix-socket peer.
    public static func unix(_ credentials: PeerCredentials?, path: String = "unix") -> Self {
        Self(transport: .unix, address: path, credentials: credentials)
    }

    /// Root on the Unix socket: what the transport-free tests and the master itself are.
    public static let localRoot = unix(PeerCredentials(pid: 0, uid: 0, gid: 0))

    /// What failed authentications are counted against: the IP address (not the port) for TCP,
    /// the uid for a Unix socket.
    public var throttleKey: String {
        switch transport {
        case .tcp, .tls, .http, .https:
            if let colon = address.lastIndex(of: ":") { return String(address[..<colon]) }
            return address
        case .unix:
            return credentials.map { "uid \($0.uid)" } ?? "unix"
        }
    }

    public var description: String {
        switch transport {
        case .tcp, .tls, .http, .https:
            "\(transport.rawValue) \(address)" + (certificateCN.map { " cert:\($0)" } ?? "")
        case .unix: credentials.map { "unix uid \($0.uid) pid \($0.pid)" } ?? "unix"
        }
    }
}

/// Who a request was accepted as: a client certificate's CN, a token's name and/or the Unix
/// peer, and the role it got.
public struct ManagementIdentity: Sendable, Hashable, CustomStringConvertible {
    /// The subject CN of the verified client certificate, if any.
    public var certificateCN: String?
    /// The name of the token presented, if any.
    public var tokenName: String?
    /// The Unix peer, if any.
    public var credentials: PeerCredentials?
    public var role: ManagementRole

    public init(certificateCN: String? = nil, tokenName: String? = nil, credentials: PeerCredentials? = nil,
                role: ManagementRole) {
        self.certificateCN = certificateCN
        self.tokenName = tokenName
        self.credentials = credentials
        self.role = role
    }

    /// `cert:billing`, `token billing`, `uid 1000 pid 42`, `token billing, uid 1000 pid 42` or `anonymous`.
    public var description: String {
        var parts: [String] = []
        if let certificateCN { parts.append("cert:\(certificateCN)") }
        if let tokenName { parts.append("token \(tokenName)") }
        if let c = credentials { parts.append("uid \(c.uid) pid \(c.pid)") }
        return parts.isEmpty ? "anonymous" : parts.joined(separator: ", ")
    }
}
