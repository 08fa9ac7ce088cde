import CCap
import CShim
import Glibc
import SystemPackage

/// Clearing Linux capabilities with libcap. Capability state is per thread: call these while
/// the process is still single-threaded.
public enum Capabilities {
    /// Drops every capability from the bounding set, so no later execve can regain one. Needs
    /// CAP_SETPCAP, so it must run before the uid changes.
    ///
    /// Corresponds to prctl(2) PR_CAPBSET_DROP (via cap_drop_bound(3)) for 0 ..< cap_max_bits().
    public static func dropBoundingSet() throws(Errno) {
        for capability in 0..<cap_max_bits() {
            _ = try valueOrErrno { cap_drop_bound(cap_value_t(capability)) }
        }
    }

    /// Empties the permitted, effective and inheritable sets.
    ///
    /// Corresponds to capset(2) (via cap_clear(3) and cap_set_proc(3)).
    public static func clearProcessSets() throws(Errno) {
        guard let caps = cap_get_proc() else { throw Errno(rawValue: errno) }
        defer { cap_free(UnsafeMutableRawPointer(caps)) }
        _ = try valueOrErrno { cap_clear(caps) }
        _ = try valueOrErrno { cap_set_proc(caps) }
    }

    /// Empties the ambient set.
    ///
    /// Corresponds to prctl(2) PR_CAP_AMBIENT_CLEAR_ALL.
    public static func clearAmbientSet() throws(Errno) {
        _ = try valueOrErrno { cshim_clear_ambient_capabilities() }
    }
}
