import Glibc
import ShadowCore
import SystemPackage

/// Listening stream sockets the master binds and hands to the operations process, which only
/// accepts on them (docs/privileges.md, "The operations process").
public enum StreamListener {
    /// Why a Unix socket could not be put in place.
    public struct UnixSocketError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// A TCP socket bound to `address` and listening, close-on-exec, with SO_REUSEADDR (a restarted
    /// master must not wait for TIME_WAIT) and, for IPv6, IPV6_V6ONLY. Port 0 binds an ephemeral
    /// port (``UDPSocket/localAddress(of:)`` reads it back).
    ///
    /// Corresponds to socket(2), setsockopt(2), bind(2) and listen(2).
    public static func bindTCP(_ address: SocketAddress, backlog: CInt = 64) throws(Errno) -> FileDescriptor {
        let fd = FileDescriptor(rawValue: try systemCall {
            socket(address.isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        })
        do {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            if address.isIPv6 { try setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1) }
            try address.withSockaddr { (sa, length) throws(Errno) in
                _ = try systemCall { Glibc.bind(fd.rawValue, sa, length) }
            }
            _ = try systemCall { listen(fd.rawValue, backlog) }
            return fd
        } catch {
            try? fd.close()
            throw error
        }
    }

    /// A Unix stream socket listening at `path` with mode 0600, or with `group`: owner root, that
    /// group, mode 0660 (`mgmt_auth.unix_group`: its members may connect).
    ///
    /// The directory comes first: when it does not exist it is created with `directoryMode`
    /// (0750, owned by the caller: root); when it exists it must be owned by root and writable by
    /// nobody else, or nothing is bound (anyone who can write there could swap the socket). The
    /// socket is bound under a temporary name in that directory, set to 0600 and renamed into
    /// place, so it is never reachable with a wider mode. A stale socket at `path` is replaced;
    /// a file that is not a socket is never touched.
    ///
    /// Corresponds to mkdir(2), lstat(2), socket(2), bind(2), chown(2), chmod(2), listen(2) and rename(2).
    public static func bindUnix(_ path: String, group: gid_t? = nil, directoryMode: mode_t = 0o750, backlog: CInt = 64)
        throws(UnixSocketError) -> FileDescriptor {
        let slash = path.lastIndex(of: "/") ?? path.startIndex
        let directory = slash == path.startIndex ? "/" : String(path[..<slash])
        try prepareDirectory(directory, mode: directoryMode)
        var st = stat()
        if lstat(path, &st) == 0, st.st_mode & S_IFMT != S_IFSOCK {
            throw UnixSocketError(description: "\(path) exists and is not a socket")
        }
        let temporary = (directory == "/" ? "" : directory) + "/.mgmt.\(getpid()).tmp"
        let bindPath = temporary.utf8.count <= 107 ? temporary : path
        unlink(bindPath)
        func fail(_ what: String, _ error: Errno) -> UnixSocketError {
            UnixSocketError(description: "\(what) \(bindPath): \(error)")
        }
        let fd: FileDescriptor
        do {
            fd = FileDescriptor(rawValue: try systemCall {
                socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            })
        } catch { throw fail("socket for", error) }
        do throws(UnixSocketError) {
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, b) in bindPath.utf8.enumerated() { raw[i] = b }
            }
            do {
                _ = try withUnsafePointer(to: &address) { (p) throws(Errno) in
                    try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { (sa) throws(Errno) in
                        try systemCall { Glibc.bind(fd.rawValue, sa, socklen_t(MemoryLayout<sockaddr_un>.size)) }
                    }
                }
            } catch { throw fail("bind", error) }
            if let group {
                do { try FileSystem.setOwner(bindPath, user: 0, group: group) } catch { throw fail("chown root:\(group)", error) }
            }
            let mode: mode_t = group == nil ? 0o600 : 0o660
            do { try FileSystem.setPermissions(bindPath, mode) } catch {
                throw fail("chmod \(String(mode, radix: 8))", error)
            }
            do { _ = try systemCall { listen(fd.rawValue, backlog) } } catch { throw fail("listen on", error) }
            if bindPath != path {
                do { try FileSystem.rename(bindPath, to: path) } catch { throw fail("rename to \(path):", error) }
            }
            return fd
        } catch {
            try? fd.close()
            unlink(bindPath)
            throw error
        }
    }

    /// Sets the accept backlog of a socket that is already listening (another `listen` on it only
    /// changes the backlog): for a listener adopted by a library that listens again with its own.
    ///
    /// Corresponds to listen(2).
    public static func setBacklog(_ descriptor: CInt, _ backlog: CInt) throws(Errno) {
        _ = try systemCall { listen(descriptor, backlog) }
    }

    /// Creates `directory` with `mode` when missing; otherwise checks it is a directory owned by
    /// root that neither group nor others may write.
    static func prepareDirectory(_ directory: String, mode: mode_t) throws(UnixSocketError) {
        var st = stat()
        if lstat(directory, &st) != 0 {
            do { try FileSystem.makeDirectories(directory, mode: mode) } catch {
                throw UnixSocketError(description: "cannot create \(directory): \(error)")
            }
            // mkdir applies the umask; the mode must be exactly what was asked for.
            do { try FileSystem.setPermissions(directory, mode) } catch {
                throw UnixSocketError(description: "chmod \(directory): \(error)")
            }
            return
        }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            throw UnixSocketError(description: "\(directory) is not a directory")
        }
        guard st.st_uid == geteuid(), st.st_mode & 0o022 == 0 else {
            throw UnixSocketError(description: """
                \(directory) must be owned by \(geteuid() == 0 ? "root" : "uid \(geteuid())") and writable by \
                nobody else to hold mgmt_socket (it is uid \(st.st_uid), mode \(String(st.st_mode & 0o7777, radix: 8)))
                """)
        }
    }

    /// Removes the socket file at `path` if it is one (at shutdown).
    ///
    /// Corresponds to lstat(2) and unlink(2).
    public static func removeSocketFile(_ path: String) {
        var st = stat()
        if lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFSOCK { unlink(path) }
    }

    /// Whether `fd` is a listening Unix stream socket.
    public static func isListeningUnix(_ fd: FileDescriptor) -> Bool { isListening(fd, family: AF_UNIX) }

    /// Whether `fd` is a listening TCP socket (IPv4 or IPv6).
    public static func isListeningIP(_ fd: FileDescriptor) -> Bool {
        isListening(fd, family: AF_INET) || isListening(fd, family: AF_INET6)
    }

    /// Whether `fd` is a listening stream socket (SO_ACCEPTCONN) of `family`.
    ///
    /// Corresponds to getsockopt(2).
    public static func isListening(_ fd: FileDescriptor, family: CInt) -> Bool {
        guard let kind = SocketKind.of(fd), kind.type == CInt(SOCK_STREAM.rawValue), kind.domain == family else {
            return false
        }
        var value: CInt = 0
        var length = socklen_t(MemoryLayout<CInt>.size)
        return getsockopt(fd.rawValue, SOL_SOCKET, SO_ACCEPTCONN, &value, &length) == 0 && value == 1
    }

    private static func setOption(_ fd: FileDescriptor, _ level: CInt, _ name: CInt, _ value: CInt) throws(Errno) {
        var v = value
        _ = try systemCall { setsockopt(fd.rawValue, level, name, &v, socklen_t(MemoryLayout<CInt>.size)) }
    }
}
