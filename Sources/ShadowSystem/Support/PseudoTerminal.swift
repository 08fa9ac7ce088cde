import CShim
import SystemPackage

/// A pseudo-terminal pair, for tests that must see what a program does when its standard output
/// is a terminal (`logging.format`'s default).
public enum PseudoTerminal {
    /// A new pseudo-terminal: the controlling side (close-on-exec, non-blocking, read by the
    /// caller) and the terminal side (close-on-exec, not made anyone's controlling terminal),
    /// handed to a child as its standard output.
    ///
    /// Corresponds to posix_openpt(3), grantpt(3), unlockpt(3), ptsname_r(3) and open(2).
    public static func open() throws(Errno) -> (controller: FileDescriptor, terminal: FileDescriptor) {
        var fds: [CInt] = [-1, -1]
        _ = try systemCall { cshim_open_pty(&fds) }
        return (FileDescriptor(rawValue: fds[0]), FileDescriptor(rawValue: fds[1]))
    }
}
