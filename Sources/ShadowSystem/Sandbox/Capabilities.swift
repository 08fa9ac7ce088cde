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
            _ = try systemCall { cap_drop_bound(cap_value_t(capability)) }
        }
    }

    /// Empties the permitted, effective and inheritable sets.
    ///
    /// Corresponds to capset(2) (via cap_clear(3) and cap_set_proc(3)).
    public static func clearProcessSets() throws(Errno) {
        guard let caps = cap_get_proc() else { throw lastErrno() }
        defer { cap_free(UnsafeMutableRawPointer(caps)) }
        _ = try systemCall { cap_clear(caps) }
        _ = try systemCall { cap_set_proc(caps) }
    }

    /// Empties the ambient set.
    ///
    /// Corresponds to prctl(2) PR_CAP_AMBIENT_CLEAR_ALL.
    public static func clearAmbientSet() throws(Errno) {
        _ = try systemCall { cshim_clear_ambient_capabilities() }
    }

    /// Capability numbers used by shadowdhcp (linux/capability.h).
    public enum Number: Int32, Sendable, CaseIterable {
        case dacOverride = 1
        case kill = 5
        case setgid = 6
        case setuid = 7
        case setpcap = 8
        case netBindService = 10
        case sysChroot = 18

        /// The bit of this capability in a `/proc/PID/status` mask.
        public var mask: UInt64 { 1 << UInt64(rawValue) }
    }

    /// Keeps only `bounding` in the bounding set (what an execve'd child running as root can
    /// obtain) and only `keep` in the permitted and effective sets; empties the inheritable and
    /// ambient sets. Needs CAP_SETPCAP while it runs (it drops the bounding set first).
    ///
    /// Corresponds to prctl(2) PR_CAPBSET_DROP, capset(2) and PR_CAP_AMBIENT_CLEAR_ALL.
    public static func restrict(keep: [Number], bounding: [Number]) throws(Errno) {
        let bound = Set(bounding.map(\.rawValue))
        for capability in 0..<cap_max_bits() where !bound.contains(Int32(capability)) {
            _ = try systemCall { cap_drop_bound(cap_value_t(capability)) }
        }
        guard let caps = cap_get_proc() else { throw lastErrno() }
        defer { cap_free(UnsafeMutableRawPointer(caps)) }
        _ = try systemCall { cap_clear(caps) }
        var values = keep.map { cap_value_t($0.rawValue) }
        if !values.isEmpty {
            let count = Int32(values.count)
            _ = try systemCall { cap_set_flag(caps, CAP_PERMITTED, count, &values, CAP_SET) }
            _ = try systemCall { cap_set_flag(caps, CAP_EFFECTIVE, count, &values, CAP_SET) }
        }
        _ = try systemCall { cap_set_proc(caps) }
        try clearAmbientSet()
    }
}
