import ShadowSystem

/// What the kernel says about a process, read from `/proc` as text (independently of the
/// server's own `ProcessStatus` parser).
public enum ProcFS {
    /// `/proc/PID/status` as `field → value` (values trimmed); nil when the process is gone.
    public static func status(_ pid: Int32) -> [String: String]? {
        guard let text = Files.readText("/proc/\(pid)/status") else { return nil }
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            out[String(line[..<colon])] = line[line.index(after: colon)...].trimmingWhitespace
        }
        return out
    }

    /// True while `pid` exists and is not a zombie.
    public static func isRunning(_ pid: Int32) -> Bool {
        guard let state = status(pid)?["State"] else { return false }
        return !state.hasPrefix("Z") && !state.hasPrefix("X")
    }

    /// The parent pid, when the process exists.
    public static func parent(of pid: Int32) -> Int32? {
        status(pid)?["PPid"].flatMap { Int32($0) }
    }

    /// argv[0] of `pid`, when it exists.
    public static func command(_ pid: Int32) -> String? {
        guard let bytes = Files.read("/proc/\(pid)/cmdline"), !bytes.isEmpty else { return nil }
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}

extension Substring {
    var trimmingWhitespace: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

extension ProcFS {
    /// Where a `/proc` symlink points (`/proc/PID/fd/N`, `/proc/PID/root`); nil if unreadable.
    public static func link(_ path: String) -> String? {
        FileSystem.destination(ofLink: path)
    }
}

extension ProcFS {
    /// The session id (field 6 of `/proc/PID/stat`), when the process exists.
    public static func session(of pid: Int32) -> Int32? {
        guard let text = Files.readText("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        // After "pid (comm)": state ppid pgrp session …
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 3 ? Int32(fields[3]) : nil
    }
}

extension ProcFS {
    /// The code mapped from `pid`'s own executable (its `r-x` mappings in `/proc/PID/smaps`):
    /// their size and how much of it is resident, in KiB; nil when the process is gone.
    public static func executableCode(of pid: Int32) -> (sizeKiB: Int, residentKiB: Int)? {
        guard let exe = link("/proc/\(pid)/exe"), let text = Files.readText("/proc/\(pid)/smaps") else { return nil }
        var size = 0, resident = 0, inCode = false
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let first = fields.first, first.contains("-"), fields.count >= 5, !first.hasSuffix(":") {
                // A mapping's header: address range, permissions, offset, device, inode, path.
                inCode = fields[1].hasPrefix("r-x") && fields.count >= 6 && fields[5] == exe
                if inCode, let dash = first.firstIndex(of: "-"),
                   let start = UInt64(first[..<dash], radix: 16), let end = UInt64(first[first.index(after: dash)...], radix: 16) {
                    size += Int((end - start) / 1024)
                }
            } else if inCode, fields.first == "Rss:", fields.count >= 2, let kib = Int(fields[1]) {
                resident += kib
            }
        }
        return (size, resident)
    }
}
