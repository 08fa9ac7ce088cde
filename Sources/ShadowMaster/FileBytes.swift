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

    /// The file's bytes. Corresponds to open(2), read(2) until end of file, close(2).
    static func read(_ path: String) throws(ReadError) -> [UInt8] {
        do {
            let fd = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec])
            defer { try? fd.close() }
            var out: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = try chunk.withUnsafeMutableBytes { try fd.read(into: $0) }
                if n == 0 { return out }
                out.append(contentsOf: chunk[0..<n])
            }
        } catch let e as Errno {
            throw ReadError(path: path, errno: e)
        } catch {
            throw ReadError(path: path, errno: .ioError)
        }
    }
}
