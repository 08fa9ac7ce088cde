import ShadowSystem
import SystemPackage

/// Reading a whole configuration file.
enum FileBytes {
    /// Why a file could not be read.
    struct ReadError: Error, CustomStringConvertible {
        var path: String
        var errno: Errno
        var isMissing: Bool { errno == .noSuchFileOrDirectory }
        var description: String { "Cannot read `\(path)`: \(errno)" }
    }

    /// The file's bytes (``FileSystem/contents(of:)``).
    static func read(_ path: String) throws(ReadError) -> [UInt8] {
        do { return try FileSystem.contents(of: path) } catch { throw ReadError(path: path, errno: error) }
    }
}
