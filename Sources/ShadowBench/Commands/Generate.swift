import ShadowCore
import ShadowSystem
import SystemPackage

/// `shadow-bench generate`: writes a server configuration directory for a ``BenchPlan``.
public enum Generate {
    /// Writes `reservations.json`, `config.json` and `ids.json` into `directory` (created if
    /// missing) and returns the paths written.
    public static func run(plan: BenchPlan, setup: ServerSetup, directory: String) throws(Errno) -> [String] {
        try FileSystem.makeDirectory(directory)
        let files: [(String, [UInt8])] = [
            ("reservations.json", BenchFiles.reservations(plan)),
            ("config.json", BenchFiles.config(setup)),
            ("ids.json", BenchFiles.identifiers(setup)),
        ]
        var written: [String] = []
        for (name, bytes) in files {
            let path = directory + "/" + name
            try AtomicFile.write(bytes, to: path)
            written.append(path)
        }
        return written
    }
}

extension Generate {
    /// `path` made absolute against the working directory.
    public static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        guard let cwd = FileSystem.workingDirectory() else { return path }
        return cwd + "/" + path
    }
}

extension Generate {
    /// Writes `kea-dhcp4.json` and `kea-dhcp6.json` into `directory` and returns the paths.
    public static func kea(plan: BenchPlan, setup: KeaSetup, directory: String) throws(Errno) -> [String] {
        var written: [String] = []
        for (name, bytes) in [("kea-dhcp4.json", KeaFiles.dhcp4(plan, setup)), ("kea-dhcp6.json", KeaFiles.dhcp6(plan, setup))] {
            let path = directory + "/" + name
            try AtomicFile.write(bytes, to: path)
            written.append(path)
        }
        return written
    }
}
