import Glibc
import SystemPackage

/// A descriptor another thread can make readable, to wake a poll loop (a self-pipe).
public final class Wakeup: Sendable {
    /// The end to poll for `.readable`.
    public let descriptor: FileDescriptor
    private let writeEnd: FileDescriptor

    /// Corresponds to pipe2(2) with O_CLOEXEC | O_NONBLOCK.
    public init() throws(Errno) {
        (descriptor, writeEnd) = try Pipe.make(nonBlocking: true)
    }

    deinit {
        try? descriptor.closeChecked()
        try? writeEnd.closeChecked()
    }

    /// Makes ``descriptor`` readable. Safe from any thread; never blocks (a full pipe is already
    /// readable).
    ///
    /// Corresponds to write(2).
    public func signal() {
        var byte: UInt8 = 1
        _ = try? systemCall { write(writeEnd.rawValue, &byte, 1) }
    }

    /// Empties the pipe (poll-loop thread).
    ///
    /// Corresponds to read(2) until EAGAIN.
    public func clear() {
        var scratch = [UInt8](repeating: 0, count: 256)
        while let n = try? systemCall({ read(descriptor.rawValue, &scratch, scratch.count) }), n > 0 {}
    }
}
