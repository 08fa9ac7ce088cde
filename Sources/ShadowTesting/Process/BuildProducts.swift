import Glibc

/// Where the package's executables are: next to the running test bundle.
///
/// `swift build --build-tests` puts `shadow-master`, `shadow-v4`, `shadow-v6` and the test bundle
/// in the same directory (`.build/<triple>/<configuration>/`, whatever the scratch path or
/// configuration), so the directory of `/proc/self/exe` is the one to use. `SHADOW_BUILD_DIR`
/// overrides it (for running the suite against an installed or differently built server).
public enum BuildProducts {
    public static var directory: String {
        if let overridden = getenv("SHADOW_BUILD_DIR") { return String(cString: overridden) }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let exe = String(decoding: buffer[..<max(n, 0)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = exe.lastIndex(of: "/") else { return "." }
        return String(exe[..<slash])
    }

    /// The absolute path of executable `name` (e.g. `shadow-master`); throws when it was not built.
    public static func executable(_ name: String) throws -> String {
        let path = directory + "/" + name
        guard access(path, X_OK) == 0 else {
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
            if access(path + "/Package.swift", F_OK) == 0 { return path }
        }
        return "."
    }
}
