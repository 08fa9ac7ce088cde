import ShadowCore
import ShadowSystem

/// A test server's own configuration directory under /tmp: `ids.json`, `config.json`,
/// `reservations.json`, a `state/` directory for `state_dir`, and the captured output of every
/// master started on it. Its sockets are allocated so that tests running in parallel never share
/// one: a 127.0.0.0/8 address of its own for DHCPv4 port 67 and a free port on ::1 for DHCPv6.
///
/// The directory is removed when the object goes away, unless `SHADOW_KEEP_TEST_DIRS` is set.
public final class ServerDirectory {
    public let path: String
    public private(set) var config: ServerConfigFile
    private var starts = 0

    /// Creates the directory and writes the three files.
    public init(reservations: [TestReservation], configure: (inout ServerConfigFile) -> Void = { _ in }) throws {
        path = try Files.makeTemporaryDirectory(prefix: "shadow-integ")
        do {
            config = ServerConfigFile(v4Bind: .v4(try Loopback.freeIPv4(port: 67), port: 67),
                                      v6Bind: .v6(.loopback, port: try Loopback.freeIPv6Port()),
                                      stateDir: path + "/state")
            configure(&config)
            try Files.write(config.idsJSON, to: file("ids.json"))
            try Files.write(config.configJSON, to: file("config.json"))
            try writeReservations(reservations)
        } catch {
            Files.removeTree(path)
            throw error
        }
    }

    deinit {
        if CurrentProcess.environment("SHADOW_KEEP_TEST_DIRS") == nil { Files.removeTree(path) }
    }

    public func file(_ name: String) -> String { path + "/" + name }

    /// The DHCPv4 server address (`v4_bind_address`).
    public var v4Server: SocketAddress { config.v4Bind }
    /// The DHCPv6 server address (`v6_bind_address`).
    public var v6Server: SocketAddress { config.v6Bind }
    /// `state_dir/bindings.json`.
    public var bindingsFile: String { config.stateDir + "/bindings.json" }

    public func writeReservations(_ reservations: [TestReservation]) throws {
        try writeReservations(text: TestReservation.file(reservations))
    }

    /// Writes `reservations.json` as given (also broken JSON).
    public func writeReservations(text: String) throws {
        // Write then rename, as an operator's tooling should, so a reload never reads half a file.
        let temporary = file(".reservations.json.tmp")
        try Files.write(text, to: temporary)
        do { try FileSystem.rename(temporary, to: file("reservations.json")) } catch {
            throw TestingError("cannot rename \(temporary)")
        }
    }

    /// A fresh output prefix for the next master started here (`master-1`, `master-2`, …).
    func nextOutputPrefix() -> String {
        starts += 1
        return (outputDirectory ?? path) + "/master-\(starts)"
    }

    /// Where the captured output of the masters started here goes, when not in ``path`` (a test
    /// that fills or freezes the file system under ``path`` must still read the master's log).
    public var outputDirectory: String?
}
