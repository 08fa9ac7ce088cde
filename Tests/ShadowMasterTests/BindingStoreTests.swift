import Glibc
import ShadowCore
import Testing
@testable import ShadowMaster

/// `state_dir/bindings.json`: what the master writes at shutdown and reads at start.
@Suite("Binding state file")
struct BindingStoreTests {
    /// A fresh state directory, removed by `remove`.
    struct StateDirectory: ~Copyable {
        let path: String

        init() throws {
            var template = Array("/tmp/shadow-bindings-XXXXXX".utf8CString)
            let p = try #require(mkdtemp(&template))
            path = String(cString: p)
        }

        var store: BindingStore { BindingStore(stateDirectory: path) }

        func names() -> [String] {
            guard let dir = opendir(path) else { return [] }
            defer { closedir(dir) }
            var out: [String] = []
            while let e = readdir(dir) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { out.append(name) }
            }
            return out.sorted()
        }

        func write(_ text: String, to name: String) {
            let fd = open(path + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }

        func read(_ name: String) -> String {
            let fd = open(path + "/" + name, O_RDONLY)
            defer { close(fd) }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            return String(decoding: buffer[..<max(n, 0)], as: UTF8.self)
        }

        deinit {
            for name in names() { unlink(path + "/" + name) }
            rmdir(path)
        }
    }

    static let table: BindingTable = {
        var t = BindingTable(capacity: 10)
        t.learn(mac: MACAddress("00-11-22-33-44-55")!, option82: Option82(circuit: "eth1:100", remote: "olt-7"), now: 1_700_000_000)
        t.learn(mac: MACAddress("02-00-5e-10-00-11")!, option82: Option82(remote: "quote \" backslash \\ ünï"), now: 1_700_000_100)
        t.learn(mac: MACAddress("aa-bb-cc-dd-ee-ff")!, option82: Option82(subscriber: "subscriber:1014"), now: 1_700_000_200)
        return t
    }()

    @Test func theSaverWritesOnItsOwnThreadAndWakesTheLoop() throws {
        let dir = try StateDirectory()
        let saver = try BindingSaver()
        #expect(saver.take() == nil)
        #expect(saver.start(Self.table, to: dir.store))
        var poll = pollfd(fd: saver.descriptor.rawValue, events: Int16(POLLIN), revents: 0)
        #expect(Glibc.poll(&poll, 1, 10_000) == 1)
        let outcome = try #require(saver.take())
        if case .failure(let e) = outcome { Issue.record("\(e)") }
        #expect(!saver.isRunning)
        #expect(try dir.store.load().map(\.mac) == Self.table.entriesOldestFirst.map(\.mac))
        #expect(saver.take() == nil)
    }

    @Test func aFailedBackgroundSaveIsReported() throws {
        let saver = try BindingSaver()
        #expect(saver.start(Self.table, to: BindingStore(stateDirectory: "/dev/null/none")))
        saver.waitUntilIdle()
        let outcome = try #require(saver.take())
        guard case .failure(let e) = outcome else { Issue.record("saved below /dev/null"); return }
        #expect(!e.description.isEmpty)
    }

    @Test func saveThenLoadGivesTheSameBindingsOldestFirst() throws {
        let dir = try StateDirectory()
        try dir.store.save(Self.table)
        #expect(dir.names() == ["bindings.json"])
        let loaded = try dir.store.load()
        let expected = Self.table.entriesOldestFirst
        #expect(loaded.map(\.mac) == expected.map(\.mac))
        #expect(loaded.map(\.option82) == expected.map(\.entry.option82))
        #expect(loaded.map(\.lastSeen) == expected.map(\.entry.lastSeen))
    }

    @Test func theFileIsTheDocumentedJSON() throws {
        var t = BindingTable(capacity: 10)
        t.learn(mac: MACAddress("00-11-22-33-44-55")!, option82: Option82(circuit: "c", remote: "r"), now: 42)
        let text = String(decoding: BindingStore.encode(t), as: UTF8.self)
        let value = try JSONValue.parse(Array(text.utf8))
        guard case .array(let items) = value, items.count == 1 else {
            Issue.record("not a one-element array: \(text)")
            return
        }
        #expect(MACAddress(try #require({ if case .string(let s)? = items[0]["mac"] { s } else { nil } }())) ==
                MACAddress("00-11-22-33-44-55"))
        #expect(items[0]["option82"]?["circuit"] == .string("c"))
        #expect(items[0]["option82"]?["remote"] == .string("r"))
        #expect(items[0]["last_seen"] == .number(JSONNumber(text: "42", isInteger: true)))
        #expect(text.hasSuffix("\n"))
    }

    @Test func noFileMeansNoBindings() throws {
        let dir = try StateDirectory()
        #expect(try dir.store.load().isEmpty)
    }

    @Test(arguments: [
        "not json at all",
        "{\"mac\": \"00-11-22-33-44-55\"}",
        "[{\"mac\": \"00-11-22-33-44-55\", \"option82\": {\"remote\": \"r\"}}]",
        "[{\"mac\": \"zz\", \"option82\": {\"remote\": \"r\"}, \"last_seen\": 1}]",
        "[{\"mac\": \"00-11-22-33-44-55\", \"option82\": {}, \"last_seen\": 1}]",
        "[{\"mac\": \"00-11-22-33-44-55\", \"option82\": {\"remote\": 7}, \"last_seen\": 1}]",
        "[{\"mac\": \"00-11-22-33-44-55\", \"option82\": {\"remote\": \"r\"}, \"last_seen\": -1}]",
    ])
    func aCorruptFileIsRefusedAndSetAside(_ content: String) throws {
        let dir = try StateDirectory()
        dir.write(content, to: "bindings.json")
        #expect(throws: BindingStore.LoadError.self) { try dir.store.load() }
        do {
            _ = try dir.store.load()
        } catch {
            #expect(error.description.contains(dir.path + "/bindings.json"), "\(error)")
        }
        let moved = try #require(dir.store.setAside())
        #expect(moved.hasPrefix(dir.path + "/bindings.json.corrupt-"))
        let names = dir.names()
        #expect(names.count == 1 && names[0].hasPrefix("bindings.json.corrupt-"), "\(names)")
        #expect(dir.read(names[0]) == content, "the set-aside file must keep what was there")
        // With the bad file out of the way the next start has no bindings, and saving works again.
        #expect(try dir.store.load().isEmpty)
        try dir.store.save(Self.table)
        #expect(try dir.store.load().count == Self.table.count)
    }
}
