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
    public enum Transport: String, Sendable, Hashable {
        case tcp, unix
    }

    public var transport: Transport
    /// `ip:port` for TCP; the socket path for a Unix socket.
    public var address: String
    /// The peer process (Unix socket only).
    public var credentials: PeerCredentials?

    public init(transport: Transport, address: String, credentials: PeerCredentials? = nil) {
        self.transport = transport
        self.address = address
        self.credentials = credentials
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
        case .tcp:
            if let colon = address.lastIndex(of: ":") { return String(address[..<colon]) }
            return address
        case .unix:
            return credentials.map { "uid \($0.uid)" } ?? "unix"
        }
    }

    public var description: String {
        switch transport {
        case .tcp: "tcp \(address)"
        case .unix: credentials.map { "unix uid \($0.uid) pid \($0.pid)" } ?? "unix"
        }
    }
}

/// Who a request was accepted as: a token's name and/or the Unix peer, and the role it got.
public struct ManagementIdentity: Sendable, Hashable, CustomStringConvertible {
    /// The name of the token presented, if any.
    public var tokenName: String?
    /// The Unix peer, if any.
    public var credentials: PeerCredentials?
    public var role: ManagementRole

    public init(tokenName: String? = nil, credentials: PeerCredentials? = nil, role: ManagementRole) {
        self.tokenName = tokenName
        self.credentials = credentials
        self.role = role
    }

    /// `token billing`, `uid 1000 pid 42`, `token billing, uid 1000 pid 42` or `anonymous`.
    public var description: String {
        var parts: [String] = []
        if let tokenName { parts.append("token \(tokenName)") }
        if let c = credentials { parts.append("uid \(c.uid) pid \(c.pid)") }
        return parts.isEmpty ? "anonymous" : parts.joined(separator: ", ")
    }
}
