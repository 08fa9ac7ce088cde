import ShadowSystem

/// Where the package's executables are: next to the running test bundle.
///
/// `swift build --build-tests` puts `shadow-master`, `shadow-v4`, `shadow-v6` and the test bundle
/// in the same directory (`.build/<triple>/<configuration>/`, whatever the scratch path or
/// configuration), so the directory of `/proc/self/exe` is the one to use. `SHADOW_BUILD_DIR`
/// overrides it (for running the suite against an installed or differently built server).
public enum BuildProducts {
    public static var directory: String {
        CurrentProcess.environment("SHADOW_BUILD_DIR") ?? FileSystem.executableDirectory() ?? "."
    }

    /// The absolute path of executable `name` (e.g. `shadow-master`); throws when it was not built.
    public static func executable(_ name: String) throws -> String {
        let path = directory + "/" + name
        guard FileSystem.isExecutable(path) else {
            throw TestingError("\(path) not found: build it with `swift build --build-tests` "
                               + "(or set SHADOW_BUILD_DIR to the directory holding \(name))")
        }
        return path
    }

    /// The repository root, found from a source file's `#filePath` (for `contrib/example`).
    public static func repositoryRoot(from filePath: String = #filePath) -> String {
        var path = filePath
        while let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            path = String(path[..<slash])
            if FileSystem.exists(path + "/Package.swift") { return path }
        }
        return "."
    }
}
