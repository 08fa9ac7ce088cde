import CShim
import Glibc
import ShadowCore
import SystemPackage

/// What a ``DatagramSender/flush(to:)`` did.
public struct FlushResult: Equatable, Sendable {
    /// Datagrams the kernel accepted.
    public var sent: Int
    /// Datagrams dropped because sending them failed (see ``lastError``).
    public var dropped: Int
    /// The last error that caused a drop, if any.
    public var lastError: Errno?

    public init(sent: Int, dropped: Int, lastError: Errno?) {
        self.sent = sent
        self.dropped = dropped
        self.lastError = lastError
    }
}

/// Queues replies in buffers allocated once and sends them in one sendmmsg(2): no heap
/// allocation per packet. Single-threaded by design; not Sendable.
public final class DatagramSender {
    /// Datagrams per batch.
    public let capacity: Int
    /// Largest datagram a slot holds.
    public let slotSize: Int
    /// Datagrams queued and not yet flushed. (Read and written for every datagram: exempt from the
    /// runtime's exclusivity checks, which would cost more than the rest of a queuing. The sender
    /// belongs to one thread and no access to this counter outlives a statement.)
    @exclusivity(unchecked) public private(set) var pendingCount = 0

    private let slots: DatagramSlots

    /// - Parameters:
    ///   - capacity: datagrams per batch (at most 1024, the kernel's UIO_MAXIOV).
    ///   - slotSize: largest datagram; 65535 holds any UDP payload.
    public init(capacity: Int = 64, slotSize: Int = 65535) {
        slots = DatagramSlots(capacity: capacity, slotSize: slotSize)
        self.capacity = capacity
        self.slotSize = slotSize
    }

    /// Whether every slot is taken (flush before queuing more).
    public var isFull: Bool { pendingCount == capacity }

    /// Lets `encode` write a datagram straight into the next free slot and queues it for
    /// `destination`. `encode` returns the number of bytes it wrote (0 queues nothing).
    /// Returns false, without calling `encode`, when the sender is full.
    @discardableResult
    public func enqueue(
        to destination: SocketAddress, scopeID: UInt32 = 0,
        _ encode: (UnsafeMutableRawBufferPointer) -> Int
    ) -> Bool {
        enqueue { slot in
            let written = encode(slot)
            return written > 0 ? (written, destination, scopeID) : nil
        }
    }

    /// Lets `encode` write a datagram straight into the next free slot and decide its destination
    /// afterwards (a reply's address is known only once the request is handled). `encode` returns
    /// the length written with the destination, or nil to queue nothing. Returns false, without
    /// calling `encode`, when the sender is full.
    @discardableResult
    public func enqueue(
        _ encode: (UnsafeMutableRawBufferPointer) -> (length: Int, destination: SocketAddress, scopeID: UInt32)?
    ) -> Bool {
        guard let slot = nextSlot else { return false }
        if let (written, destination, scopeID) = encode(slot) { commit(length: written, to: destination, scopeID: scopeID) }
        return true
    }

    /// The next free slot, nil when the sender is full. Write a datagram into it, then queue it with
    /// ``commit(length:to:scopeID:)``; until then nothing is queued, and a slot not committed is
    /// simply handed out again. (The same as the closure-taking `enqueue`, for a caller that must
    /// not capture its state in a closure.)
    public var nextSlot: UnsafeMutableRawBufferPointer? {
        pendingCount < capacity ? slots.slot(pendingCount) : nil
    }

    /// Queues the `length` bytes just written into ``nextSlot`` for `destination`.
    public func commit(length: Int, to destination: SocketAddress, scopeID: UInt32 = 0) {
        precondition(pendingCount < capacity, "no slot to commit")
        precondition(length > 0 && length <= slotSize, "encoder wrote outside its slot")
        slots.lengths[pendingCount] = UInt32(length)
        slots.addressLengths[pendingCount] = UInt32(destination.write(to: slots.address(pendingCount), scopeID: scopeID))
        pendingCount += 1
    }

    /// Copies `bytes` into the next free slot for `destination`. Returns false when the sender is
    /// full or `bytes` is longer than a slot.
    @discardableResult
    public func enqueue(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress, scopeID: UInt32 = 0) -> Bool {
        guard bytes.count <= slotSize else { return false }
        return enqueue(to: destination, scopeID: scopeID) { slot in
            slot.copyMemory(from: bytes)
            return bytes.count
        }
    }

    /// Sends everything queued and empties the queue. A datagram the kernel refuses (e.g. no
    /// route, or EAGAIN on a full non-blocking socket) is dropped and counted; the rest are still
    /// sent. Never blocks longer than sendmmsg(2) does on the socket.
    ///
    /// Corresponds to sendmmsg(2).
    public func flush(to fd: FileDescriptor) -> FlushResult {
        var result = FlushResult(sent: 0, dropped: 0, lastError: nil)
        var start = 0
        while start < pendingCount {
            let n = cshim_sendmmsg(fd.rawValue, UInt32(pendingCount - start), slots.buffers + start * slotSize,
                                   slotSize, slots.lengths + start, slots.address(start),
                                   slots.addressLengths + start, slots.scratch, cshim_msg_nosignal())
            if n > 0 {
                result.sent += Int(n)
                start += Int(n)
                continue
            }
            let code = n < 0 ? errno : EIO
            if code == EINTR { continue }
            // Like every wrapper (Support/Syscall.swift), but on the error path only: a dropped
            // datagram is counted, a closed socket or a bad buffer is a bug.
            preconditionIsNotUnacceptableErrno(code, where: #function)
            let error = Errno(rawValue: code)
            result.dropped += 1
            result.lastError = error
            start += 1
        }
        pendingCount = 0
        return result
    }

    /// Forgets everything queued.
    public func discardPending() { pendingCount = 0 }
}
