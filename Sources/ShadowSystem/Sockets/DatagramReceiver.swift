import CShim
import Glibc
import ShadowCore
import SystemPackage

/// One datagram of the last batch a ``DatagramReceiver`` received.
///
/// `payload` points into the receiver's buffers and is valid until the next
/// ``DatagramReceiver/receive(from:wait:)``. A truncated datagram (longer than the slot) has an
/// empty payload, so it cannot be processed by mistake; ``length`` says how long it really was.
public struct ReceivedDatagram {
    /// The sender's address and port; nil if the kernel reported an unexpected address family.
    public var source: SocketAddress?
    /// The IPv6 scope id (interface index) of a link-local source, else 0.
    public var scopeID: UInt32
    /// The datagram's real length, even when it was truncated.
    public var length: Int
    /// The datagram did not fit in its slot: drop it and count it, never parse it.
    public var isTruncated: Bool
    /// The datagram's bytes; empty when ``isTruncated``.
    public var payload: UnsafeRawBufferPointer

    /// A datagram that did not come from a socket (a harness feeding the packet path from memory).
    public init(source: SocketAddress?, scopeID: UInt32 = 0, length: Int, isTruncated: Bool = false,
                payload: UnsafeRawBufferPointer) {
        self.source = source
        self.scopeID = scopeID
        self.length = length
        self.isTruncated = isTruncated
        self.payload = payload
    }
}

/// Receives UDP datagrams in batches with recvmmsg(2) into buffers allocated once: no heap
/// allocation per packet.
///
/// Single-threaded by design (the worker's loop owns it); not Sendable.
public final class DatagramReceiver {
    /// How ``receive(from:wait:)`` waits.
    public enum Wait: Sendable {
        /// Block until at least one datagram is there, then take what else is queued
        /// (MSG_WAITFORONE) without waiting more.
        case waitForOne
        /// Never block (MSG_DONTWAIT): returns 0 when nothing is queued.
        case nonBlocking
    }

    /// Datagrams per batch.
    public let capacity: Int
    /// Bytes per datagram slot; a longer datagram is reported as truncated.
    public let slotSize: Int
    /// Datagrams in the last batch (including truncated ones). (Read for every datagram: exempt
    /// from the runtime's exclusivity checks, like ``DatagramSender/pendingCount``.)
    @exclusivity(unchecked) public private(set) var count = 0
    /// Truncated datagrams in the last batch.
    public private(set) var truncatedCount = 0

    private let slots: DatagramSlots
    private let flags: UnsafeMutablePointer<CInt>
    /// Messages whose headers the kernel wrote since they were last restored.
    private var dirty: Int

    /// - Parameters:
    ///   - capacity: datagrams per batch (at most 1024, the kernel's UIO_MAXIOV).
    ///   - slotSize: bytes per datagram; 65535 holds any UDP payload over IPv4 or IPv6.
    public init(capacity: Int = 64, slotSize: Int = 65535) {
        slots = DatagramSlots(capacity: capacity, slotSize: slotSize)
        self.capacity = capacity
        self.slotSize = slotSize
        flags = .allocate(capacity: capacity)
        // The mmsghdrs and iovecs are laid out once; a receive restores only what the kernel wrote.
        cshim_recvmmsg_prepare(UInt32(capacity), slots.buffers, slotSize, slots.addresses, slots.scratch)
        dirty = 0
    }

    deinit { flags.deallocate() }

    /// Receives up to ``capacity`` datagrams and returns how many arrived (0 only with
    /// `.nonBlocking` when nothing was queued). Read them with ``subscript(_:)``.
    ///
    /// Corresponds to recvmmsg(2) with MSG_TRUNC, and MSG_WAITFORONE or MSG_DONTWAIT.
    @discardableResult
    public func receive(from fd: FileDescriptor, wait: Wait = .waitForOne) throws(Errno) -> Int {
        let mode = wait == .waitForOne ? cshim_msg_waitforone() : cshim_msg_dontwait()
        count = 0
        truncatedCount = 0
        let received: CInt
        do {
            received = try systemCall {
                cshim_recvmmsg(fd.rawValue, UInt32(capacity), slots.lengths, slots.addressLengths, flags,
                               slots.scratch, UInt32(dirty), mode)
            }
        } catch where error == .resourceTemporarilyUnavailable {
            dirty = 0
            return 0
        } catch {
            dirty = capacity  // whatever the kernel wrote before failing, restore all of it next time
            throw error
        }
        count = Int(received)
        dirty = count
        for i in 0..<count where isTruncated(i) { truncatedCount += 1 }
        return count
    }

    private func isTruncated(_ i: Int) -> Bool {
        flags[i] & cshim_msg_trunc() != 0 || Int(slots.lengths[i]) > slotSize
    }

    /// Datagram `i` (0 ..< ``count``) of the last batch.
    public subscript(_ i: Int) -> ReceivedDatagram {
        precondition(i >= 0 && i < count, "datagram index out of range")
        let truncated = isTruncated(i)
        let length = Int(slots.lengths[i])
        let source = SocketAddress.read(from: slots.address(i), length: slots.addressLengths[i])
        let payload = UnsafeRawBufferPointer(start: slots.buffers + i * slotSize, count: truncated ? 0 : length)
        return ReceivedDatagram(source: source?.0, scopeID: source?.scopeID ?? 0, length: length,
                                isTruncated: truncated, payload: payload)
    }
}
