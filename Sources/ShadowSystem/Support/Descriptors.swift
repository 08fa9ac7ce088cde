import CShim
import Glibc
import SystemPackage

/// Descriptor-table operations that are not about one descriptor.
public enum Descriptors {
    /// Closes every descriptor from `first` to `last` inclusive (default: all above `first`).
    /// A worker may call it at start as a second line of defence behind the spawn map.
    ///
    /// Corresponds to close_range(2).
    public static func closeRange(from first: CInt, through last: CInt = .max) throws(Errno) {
        precondition(first >= 0 && last >= first)
        _ = try systemCall(retryOnInterrupt: false) { cshim_close_range(UInt32(first), UInt32(last)) }
    }

    /// Accepts one connection on a listening socket, close-on-exec (management socket).
    ///
    /// Corresponds to accept4(2) with SOCK_CLOEXEC.
    public static func accept(on listener: FileDescriptor) throws(Errno) -> FileDescriptor {
        FileDescriptor(rawValue: try systemCall { cshim_accept4_cloexec(listener.rawValue) })
    }
}
