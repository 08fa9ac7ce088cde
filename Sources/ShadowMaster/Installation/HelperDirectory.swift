/// Where `shadow-master` finds the programs it starts (`shadow-v4`, `shadow-v6`, `shadow-ops`).
///
/// Installed from the Debian package the master is `/usr/sbin/shadow-master` and its helpers are
/// in `/usr/libexec/shadowdhcp/`; in a build tree (and with scripts/install) they sit next to the
/// master. The rule is relative to the master's own directory, so it holds for any prefix:
/// `<dir>/../libexec/shadowdhcp` when every helper is there, else `<dir>` itself when every helper
/// is there, else nothing (start fails naming both places).
public enum HelperDirectory {
    /// The installed location, relative to the master's directory.
    public static let installedSubpath = "libexec/shadowdhcp"

    /// The directories searched, in order, for a master living in `masterDirectory` (absolute).
    public static func candidates(masterDirectory: String) -> [String] {
        var dir = masterDirectory
        while dir.count > 1, dir.hasSuffix("/") { dir.removeLast() }
        let parent: String
        if let slash = dir.lastIndex(of: "/"), dir != "/" {
            parent = slash == dir.startIndex ? "/" : String(dir[..<slash])
        } else {
            parent = "/"
        }
        let installed = (parent == "/" ? "/" : parent + "/") + installedSubpath
        return [installed, dir]
    }

    /// The first candidate holding every name in `helpers` (`exists` is asked about the full
    /// path), or nil.
    public static func find(masterDirectory: String, helpers: [String],
                            exists: (String) -> Bool) -> String? {
        candidates(masterDirectory: masterDirectory).first { dir in
            helpers.allSatisfy { exists(dir + "/" + $0) }
        }
    }
}
