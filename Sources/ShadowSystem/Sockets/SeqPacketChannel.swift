import CShim
import Glibc
import SystemPackage

/// Why a ``SeqPacketChannel`` operation failed. Everything but `.system` is a protocol
/// violation by the peer or the caller: log it and close the channel.
public enum ChannelError: Error, Equatable, Sendable {
    /// The system call failed (EPIPE/ECONNRESET: the peer is gone).
    case system(Errno)
    /// A message to send is larger than the channel's maximum.
    case messageTooLarge(size: Int, limit: Int)
    /// Zero-length messages cannot be told apart from end of file, so they are never sent.
    case emptyMessage
    /// A received message was larger than the maximum; it was discarded.
    case truncated(limit: Int)
    /// The peer sent more than one descriptor with a message (all were closed).
    case tooManyDescriptors(Int)
    /// Descriptors attached to a message were lost (MSG_CTRUNC).
    case descriptorsLost
}

/// The outcome of ``SeqPacketChannel/receive(wait:)``.
public enum ChannelReceive {
    /// A whole message, and the descriptor that came with it (close-on-exec; the caller owns it).
    case message([UInt8], descriptor: FileDescriptor?)
    /// Non-blocking receive and no message queued.
    case wouldBlock
    /// The peer closed its end (end of file).
    case closed
}

/// A connected AF_UNIX SOCK_SEQPACKET socket that sends and receives whole messages, each with an
/// optional descriptor (SCM_RIGHTS), up to a fixed maximum size.
///
/// Message boundaries are kept by the kernel; a message is never split. Zero-length messages
/// are not used: a receive of 0 bytes means the peer closed. Owns its descriptor and closes it on
/// ``close()`` or deinit. Not Sendable: one thread uses one end.
public final class SeqPacketChannel {
    /// Default maximum message size: 64 KiB, well under the 212,960-byte default SO_SNDBUF limit.
    public static let defaultMaximumMessageSize = 64 * 1024

    /// The socket.
    public let descriptor: FileDescriptor
    /// Largest message this end sends or accepts.
    public let maximumMessageSize: Int
    private let buffer: UnsafeMutableRawBufferPointer
    private var isClosed = false

    /// Takes ownership of a connected SOCK_SEQPACKET socket (e.g. the fixed fd a worker
    /// inherits) and makes its send buffer large enough for one maximal message. If this throws,
    /// the descriptor is left open and still belongs to the caller.
    ///
    /// Corresponds to getsockopt(2) and setsockopt(2) SO_SNDBUF.
    public init(adopting descriptor: FileDescriptor, maximumMessageSize: Int = defaultMaximumMessageSize) throws(Errno) {
        precondition(maximumMessageSize > 0)
        // Before any property is set: a throw here must not run deinit (which would close it).
        let wanted = CInt(clamping: 2 * maximumMessageSize + 4096)
        if try getOption(descriptor, SOL_SOCKET, SO_SNDBUF) < wanted {
            try setOption(descriptor, SOL_SOCKET, SO_SNDBUF, wanted)
        }
        self.descriptor = descriptor
        self.maximumMessageSize = maximumMessageSize
        buffer = .allocate(byteCount: maximumMessageSize + 1, alignment: 16)
    }

    deinit {
        buffer.deallocate()
        if !isClosed { try? descriptor.close() }
    }

    /// Creates a connected pair (close-on-exec). One end typically goes to a child at a fixed fd.
    ///
    /// Corresponds to socketpair(2) with AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC.
    public static func makePair(
        maximumMessageSize: Int = defaultMaximumMessageSize
    ) throws(Errno) -> (SeqPacketChannel, SeqPacketChannel) {
        let (a, b) = try makeSocketPair()
        let first: SeqPacketChannel
        do throws(Errno) {
            first = try SeqPacketChannel(adopting: a, maximumMessageSize: maximumMessageSize)
        } catch {
            try? a.closeChecked(); try? b.closeChecked()
            throw error
        }
        do throws(Errno) {
            return (first, try SeqPacketChannel(adopting: b, maximumMessageSize: maximumMessageSize))
        } catch {
            try? b.closeChecked()  // `first` closes `a` when it goes away
            throw error
        }
    }

    /// A raw connected SOCK_SEQPACKET pair (close-on-exec), for callers that pass one end on.
    ///
    /// Corresponds to socketpair(2).
    public static func makeSocketPair() throws(Errno) -> (FileDescriptor, FileDescriptor) {
        var fds: [CInt] = [-1, -1]
        _ = try systemCall {
            socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds)
        }
        return (FileDescriptor(rawValue: fds[0]), FileDescriptor(rawValue: fds[1]))
    }

    /// Closes the socket. Further use is a programming error.
    public func close() throws(Errno) {
        guard !isClosed else { return }
        isClosed = true
        try descriptor.closeChecked()
    }

    /// Sends one whole message, optionally with a descriptor (which the caller still owns and
    /// may close once this returns). Blocks while the peer's queue is full, unless `nonBlocking`:
    /// then a full queue is `.system(.resourceTemporarilyUnavailable)` and nothing is sent.
    ///
    /// Corresponds to sendmsg(2) with MSG_NOSIGNAL (a closed peer is EPIPE, not SIGPIPE).
    public func send(_ bytes: UnsafeRawBufferPointer, passing attached: FileDescriptor? = nil,
                     nonBlocking: Bool = false) throws(ChannelError) {
        guard !bytes.isEmpty else { throw .emptyMessage }
        guard bytes.count <= maximumMessageSize else {
            throw .messageTooLarge(size: bytes.count, limit: maximumMessageSize)
        }
        do throws(Errno) {
            _ = try systemCall {
                cshim_send_with_fd(descriptor.rawValue, bytes.baseAddress, bytes.count,
                                   attached?.rawValue ?? -1,
                                   cshim_msg_nosignal() | (nonBlocking ? cshim_msg_dontwait() : 0))
            }
        } catch {
            throw .system(error)
        }
    }

    /// Sends one whole message; see ``send(_:passing:)-(UnsafeRawBufferPointer,_)``.
    public func send(_ bytes: [UInt8], passing attached: FileDescriptor? = nil,
                     nonBlocking: Bool = false) throws(ChannelError) {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(ChannelError) in try send(raw, passing: attached, nonBlocking: nonBlocking) }
        }.get()
    }

    /// Receives one whole message. A message longer than the maximum, or carrying more than one
    /// descriptor, is an error (any descriptors that came with it are closed).
    ///
    /// Corresponds to recvmsg(2) with MSG_CMSG_CLOEXEC (and MSG_DONTWAIT when not waiting).
    public func receive(wait: Bool = true) throws(ChannelError) -> ChannelReceive {
        var fd: CInt = -1, fdCount: CInt = 0, flags: CInt = 0
        let n: Int
        do throws(Errno) {
            n = try systemCall {
                cshim_recv_with_fd(descriptor.rawValue, buffer.baseAddress, buffer.count,
                                   wait ? 0 : cshim_msg_dontwait(), &fd, &fdCount, &flags)
            }
        } catch where error == .resourceTemporarilyUnavailable {
            return .wouldBlock
        } catch {
            throw .system(error)
        }
        let received = fd >= 0 ? FileDescriptor(rawValue: fd) : nil
        func reject(_ error: ChannelError) -> ChannelError {
            try? received?.close()
            return error
        }
        if flags & cshim_msg_ctrunc() != 0 { throw reject(.descriptorsLost) }
        if fdCount > 1 { throw reject(.tooManyDescriptors(Int(fdCount))) }
        if flags & cshim_msg_trunc() != 0 || n > maximumMessageSize {
            throw reject(.truncated(limit: maximumMessageSize))
        }
        if n == 0 {
            try? received?.close()
            return .closed
        }
        return .message(Array(UnsafeRawBufferPointer(rebasing: buffer[..<n])), descriptor: received)
    }
}
