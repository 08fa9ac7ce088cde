import Glibc
import SystemPackage

/// The security-relevant fields of `/proc/PID/status`, typed.
///
/// Ids are listed as the kernel prints them: real, effective, saved set, filesystem.
/// Capability sets are the 64-bit masks (0 means empty).
public struct ProcessStatus: Equatable, Sendable {
    public var name: String
    public var pid: Int32
    public var threads: Int
    public var uids: [UInt32]
    public var gids: [UInt32]
    public var groups: [UInt32]
    public var capInheritable: UInt64
    public var capPermitted: UInt64
    public var capEffective: UInt64
    public var capBounding: UInt64
    public var capAmbient: UInt64
    /// `NoNewPrivs:` (kernel 4.10+).
    public var noNewPrivileges: Bool
    /// `Seccomp:` 0 disabled, 1 strict, 2 filter.
    public var seccompMode: Int

    /// Why a status text could not be read.
    public enum ParseError: Error, Equatable, Sendable {
        /// A required field is absent.
        case missingField(String)
        /// A field's value has the wrong form.
        case invalidField(String, value: String)
    }

    /// Parses the text of a `/proc/PID/status` file. Unknown lines are ignored; every field of
    /// this struct is required.
    public init(parsing text: String) throws(ParseError) {
        var fields: [Substring: Substring] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            fields[line[..<colon]] = value
        }
        func field(_ key: String) throws(ParseError) -> Substring {
            guard let v = fields[Substring(key)] else { throw .missingField(key) }
            return v
        }
        func ids(_ key: String, count: Int?) throws(ParseError) -> [UInt32] {
            let raw = try field(key)
            let parts = raw.split(whereSeparator: { $0 == " " || $0 == "\t" })
            let values = parts.compactMap { UInt32($0) }
            guard values.count == parts.count, count == nil || values.count == count else {
                throw .invalidField(key, value: String(raw))
            }
            return values
        }
        func mask(_ key: String) throws(ParseError) -> UInt64 {
            let raw = try field(key)
            guard raw.count == 16, let v = UInt64(raw, radix: 16) else { throw .invalidField(key, value: String(raw)) }
            return v
        }
        func integer(_ key: String) throws(ParseError) -> Int {
            let raw = try field(key)
            guard let v = Int(raw) else { throw .invalidField(key, value: String(raw)) }
            return v
        }
        name = String(try field("Name"))
        pid = Int32(try integer("Pid"))
        threads = try integer("Threads")
        uids = try ids("Uid", count: 4)
        gids = try ids("Gid", count: 4)
        groups = try ids("Groups", count: nil)
        capInheritable = try mask("CapInh")
        capPermitted = try mask("CapPrm")
        capEffective = try mask("CapEff")
        capBounding = try mask("CapBnd")
        capAmbient = try mask("CapAmb")
        noNewPrivileges = try integer("NoNewPrivs") == 1
        seccompMode = try integer("Seccomp")
    }

    /// Reads and parses `/proc/PID/status` (the master auditing a worker, or any process).
    ///
    /// Corresponds to open(2) and read(2).
    public static func read(pid: Int32) throws -> ProcessStatus {
        let fd = try FileDescriptor.open("/proc/\(pid)/status", .readOnly, options: .closeOnExec)
        defer { try? fd.close() }
        return try read(from: fd)
    }

    /// Parses the status file behind an open descriptor, read again from offset 0 (procfs
    /// regenerates it). A worker opens `/proc/self/status` before chroot and seccomp and verifies
    /// itself through this descriptor afterwards.
    ///
    /// Corresponds to pread(2).
    public static func read(from fd: FileDescriptor) throws -> ProcessStatus {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let offset = off_t(bytes.count)
            let n = try systemCall {
                chunk.withUnsafeMutableBytes { pread(fd.rawValue, $0.baseAddress, $0.count, offset) }
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[..<n])
        }
        return try ProcessStatus(parsing: String(decoding: bytes, as: UTF8.self))
    }

    /// Whether every capability set, the bounding set included, is empty.
    public var hasNoCapabilities: Bool {
        capInheritable == 0 && capPermitted == 0 && capEffective == 0 && capBounding == 0 && capAmbient == 0
    }
}
