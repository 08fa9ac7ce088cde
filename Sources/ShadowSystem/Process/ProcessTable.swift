/// The processes of this host, as `/proc` lists them.
public enum ProcessTable {
    /// One running process: its id, its name (`Name:`, at most 15 bytes) and its real uid.
    public struct Entry: Sendable, Equatable {
        public var pid: Int32
        public var name: String
        public var uid: UInt32

        public init(pid: Int32, name: String, uid: UInt32) {
            self.pid = pid
            self.name = name
            self.uid = uid
        }
    }

    /// Every process whose `/proc/PID/status` could be read (one that ends meanwhile is left out),
    /// in pid order.
    public static func list() -> [Entry] {
        guard let names = try? FileSystem.names(in: "/proc") else { return [] }
        let pids = names.compactMap { Int32($0) }.sorted()
        return pids.compactMap { pid in
            guard let status = try? ProcessStatus.read(pid: pid), let uid = status.uids.first else { return nil }
            return Entry(pid: pid, name: status.name, uid: uid)
        }
    }
}
