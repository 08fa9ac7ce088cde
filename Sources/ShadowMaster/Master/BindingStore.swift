import IPC
import ShadowCore
import ShadowSystem
import SystemPackage

/// The MAC → Option 82 table on disk: `state_dir/bindings.json`, written atomically.
///
/// Format: a JSON array, oldest binding first, of
/// `{"mac":"AA-BB-CC-DD-EE-FF","option82":{"circuit":…,"remote":…,"subscriber":…},"last_seen":<unix seconds>}`.
struct BindingStore {
    let path: String

    init(stateDirectory: String) {
        path = ConfigDirectory.path(stateDirectory, "bindings.json")
    }

    /// Why the state file could not be used.
    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    /// The saved bindings, oldest first; an empty list when there is no file yet.
    func load() throws(LoadError) -> [BindingRecord] {
        guard FileSystem.exists(path) else { return [] }
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path) } catch { throw LoadError(description: error.description) }
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch { throw LoadError(description: "\(path): \(error)") }
        guard case .array(let items) = root else { throw LoadError(description: "\(path): not a JSON array") }
        var out: [BindingRecord] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard let record = BindingStore.record(item) else {
                throw LoadError(description: "\(path)[\(i)]: not a binding (mac, option82, last_seen)")
            }
            out.append(record)
        }
        return out
    }

    /// Moves a state file that cannot be read out of the way, so the next save does not lose it.
    func setAside() -> String? {
        let target = path + ".corrupt-\(Clocks.unixMilliseconds() / 1000)"
        do { try FileSystem.rename(path, to: target) } catch { return nil }
        return target
    }

    /// Writes `table` atomically (temp file, fsync, rename, fsync of the directory).
    func save(_ table: BindingTable) throws(Errno) {
        try AtomicFile.write(BindingStore.encode(table), to: path, permissions: 0o640)
    }

    static func encode(_ table: BindingTable) -> [UInt8] {
        var w = JSONWriter()
        w.beginArray()
        for (mac, entry) in table.entriesOldestFirst {
            w.beginObject()
            w.field("mac", mac.description)
            w.key("option82")
            w.beginObject()
            w.field("circuit", entry.option82.circuit)
            w.field("remote", entry.option82.remote)
            w.field("subscriber", entry.option82.subscriber)
            w.endObject()
            w.field("last_seen", entry.lastSeen)
            w.endObject()
        }
        w.endArray()
        return Array((w.text + "\n").utf8)
    }

    static func record(_ v: JSONValue) -> BindingRecord? {
        guard case .string(let macText)? = v["mac"], let mac = MACAddress(macText),
              let o = v["option82"], case .object = o,
              case .number(let n)? = v["last_seen"], let seen = n.int64, seen >= 0 else { return nil }
        func text(_ key: String) -> String?? {
            switch o[key] {
            case .string(let s)?: return .some(s)
            case .null?, nil: return .some(nil)
            default: return nil
            }
        }
        guard let circuit = text("circuit"), let remote = text("remote"), let subscriber = text("subscriber") else {
            return nil
        }
        let option82 = Option82(circuit: circuit, remote: remote, subscriber: subscriber)
        guard !option82.isEmpty else { return nil }
        return BindingRecord(mac: mac, option82: option82, lastSeen: UInt64(seen))
    }
}
