import CShim

/// The memory a recvmmsg(2)/sendmmsg(2) batch works on, allocated once: `capacity` datagram
/// slots of `slotSize` bytes, one `sockaddr_storage` per slot, the per-message lengths and the
/// C shim's scratch space for its `mmsghdr`s and `iovec`s.
final class DatagramSlots {
    let capacity: Int
    let slotSize: Int
    let buffers: UnsafeMutableRawPointer
    let addresses: UnsafeMutableRawPointer
    let lengths: UnsafeMutablePointer<UInt32>
    let addressLengths: UnsafeMutablePointer<UInt32>
    let scratch: UnsafeMutableRawPointer
    let addressSlot = cshim_sockaddr_storage_size()

    /// - Parameters:
    ///   - capacity: datagrams per batch (at most 1024, the kernel's UIO_MAXIOV).
    ///   - slotSize: bytes per datagram slot.
    init(capacity: Int, slotSize: Int) {
        precondition((1...1024).contains(capacity) && slotSize > 0)
        self.capacity = capacity
        self.slotSize = slotSize
        buffers = .allocate(byteCount: capacity * slotSize, alignment: 16)
        addresses = .allocate(byteCount: capacity * cshim_sockaddr_storage_size(), alignment: 16)
        lengths = .allocate(capacity: capacity)
        addressLengths = .allocate(capacity: capacity)
        scratch = .allocate(byteCount: capacity * cshim_mmsg_scratch_size(), alignment: 16)
    }

    deinit {
        buffers.deallocate(); addresses.deallocate(); lengths.deallocate()
        addressLengths.deallocate(); scratch.deallocate()
    }

    /// Slot `i`'s bytes.
    func slot(_ i: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: buffers + i * slotSize, count: slotSize)
    }

    /// Slot `i`'s address storage.
    func address(_ i: Int) -> UnsafeMutableRawPointer { addresses + i * addressSlot }
}
