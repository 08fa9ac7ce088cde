import CShim
import Glibc
import SystemPackage

/// Pipes for talking to children (tests, helpers).
public enum Pipe {
    /// A close-on-exec pipe: (read end, write end).
    ///
    /// Corresponds to pipe2(2) with O_CLOEXEC.
    public static func make(nonBlocking: Bool = false) throws(Errno) -> (read: FileDescriptor, write: FileDescriptor) {
        var fds: [CInt] = [-1, -1]
        _ = try systemCall { cshim_pipe2_cloexec(&fds, nonBlocking ? 1 : 0) }
        return (FileDescriptor(rawValue: fds[0]), FileDescriptor(rawValue: fds[1]))
    }

    /// Reads until end of file.
    ///
    /// Corresponds to read(2), repeated.
    public static func readAll(_ fd: FileDescriptor) throws(Errno) -> [UInt8] {
        try fd.readToEnd()
    }

    /// Reads what is queued in a non-blocking pipe now: stops at EAGAIN, end of file or any
    /// other error, or once `limit` bytes or more were read, returning what was read until then.
    ///
    /// Corresponds to read(2), repeated.
    public static func readAvailable(_ fd: FileDescriptor, chunkSize: Int = 65536, limit: Int = .max) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while out.count < limit {
            let n = try? systemCall { chunk.withUnsafeMutableBytes { read(fd.rawValue, $0.baseAddress, $0.count) } }
            guard let n, n > 0 else { return out }
            out += chunk[..<n]
        }
        return out
    }
}
