import Glibc
import SystemPackage

/// Events asked for and reported by ``PollSet``.
public struct PollEvents: OptionSet, Sendable, Hashable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// Data to read, or the peer closed (POLLIN).
    public static let readable = PollEvents(rawValue: Int16(POLLIN))
    /// Room to write (POLLOUT).
    public static let writable = PollEvents(rawValue: Int16(POLLOUT))
    /// An error is pending (POLLERR; always reported).
    public static let error = PollEvents(rawValue: Int16(POLLERR))
    /// The peer hung up (POLLHUP; always reported).
    public static let hangUp = PollEvents(rawValue: Int16(POLLHUP))
    /// The descriptor is not open (POLLNVAL; always reported): a bug.
    public static let invalid = PollEvents(rawValue: Int16(POLLNVAL))
}

/// A fixed set of descriptors to wait on together, e.g. a worker's UDP socket and IPC channel.
/// Built once; ``wait(timeoutMilliseconds:)`` allocates nothing.
public struct PollSet {
    private var entries: [pollfd]

    /// One entry per (descriptor, events), in the order given; results are read by index.
    public init(_ items: [(FileDescriptor, PollEvents)]) {
        entries = items.map { pollfd(fd: $0.0.rawValue, events: $0.1.rawValue, revents: 0) }
    }

    /// Number of entries.
    public var count: Int { entries.count }

    /// Waits until one of the descriptors is ready or the timeout passes (-1: forever) and returns
    /// how many entries have events (0: timeout). An interrupted wait is restarted with the full
    /// timeout again.
    ///
    /// Corresponds to poll(2).
    @discardableResult
    public mutating func wait(timeoutMilliseconds: Int32 = -1) throws(Errno) -> Int {
        let count = entries.count
        return Int(try entries.withUnsafeMutableBufferPointer { (buffer) throws(Errno) -> CInt in
            try systemCall { poll(buffer.baseAddress, nfds_t(count), timeoutMilliseconds) }
        })
    }

    /// The events reported for entry `index` by the last ``wait(timeoutMilliseconds:)``.
    public func events(at index: Int) -> PollEvents { PollEvents(rawValue: entries[index].revents) }
}

extension FileDescriptor {
    /// Whether a write of up to PIPE_BUF bytes would not block right now. On a poll error it
    /// answers true, so that the write is tried and reports its own error; for a descriptor that
    /// is not open (POLLNVAL: standard output closed by whoever started us) it answers false,
    /// since the write would only fail with EBADF.
    ///
    /// Corresponds to poll(2) for POLLOUT with a zero timeout.
    public func canWriteWithoutBlocking() -> Bool {
        var p = pollfd(fd: rawValue, events: Int16(POLLOUT), revents: 0)
        guard (try? systemCall({ poll(&p, 1, 0) })) != nil else { return true }
        return p.revents != 0 && p.revents & Int16(POLLNVAL) == 0
    }
}
