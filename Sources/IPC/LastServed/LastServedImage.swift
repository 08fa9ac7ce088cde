/// The contents of a last-served memfd: the snapshot generation (u64) the times are indexed by,
/// then one u32 per reservation and protocol (seconds since the Unix epoch of the last DHCPv4 ACK
/// or DHCPv6 Reply; 0 = not since the reservation was loaded or changed), little-endian. A
/// worker's file holds its protocol's times; the master's answer to ops holds DHCPv4's, then
/// DHCPv6's. The generation inside binds the file to the message that carries it.
public enum LastServedImage {
    public static func byteCount(reservations: Int, protocols: Int) -> Int { 8 + 4 * reservations * protocols }

    /// Writes `generation`, then each of `times` in order, into `buffer` (exactly their size).
    public static func write(generation: UInt64, _ times: [UnsafeBufferPointer<UInt32>],
                             into buffer: UnsafeMutableRawBufferPointer) {
        precondition(buffer.count == 8 + 4 * times.reduce(0) { $0 + $1.count })
        buffer.storeBytes(of: generation.littleEndian, toByteOffset: 0, as: UInt64.self)
        var offset = 8
        for t in times {
            for v in t {
                buffer.storeBytes(of: v.littleEndian, toByteOffset: offset, as: UInt32.self)
                offset += 4
            }
        }
    }

    /// Why a file does not match its message.
    public enum Mismatch: Error, Equatable, Sendable {
        case size(expected: Int, actual: Int)
        case generation(expected: UInt64, actual: UInt64)
    }

    /// Checks `bytes` against the message (size, generation) and returns the times of protocol
    /// `part` (0 or 1) of `reservations` each.
    public static func times(_ bytes: UnsafeRawBufferPointer, generation: UInt64, reservations: Int,
                             protocols: Int, part: Int) throws(Mismatch) -> [UInt32] {
        let expected = byteCount(reservations: reservations, protocols: protocols)
        guard bytes.count == expected else { throw .size(expected: expected, actual: bytes.count) }
        let stored = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard stored == generation else { throw .generation(expected: generation, actual: stored) }
        let start = 8 + 4 * reservations * part
        return (0..<reservations).map {
            UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start + 4 * $0, as: UInt32.self))
        }
    }

    /// Merges `other` into `newest`: per reservation the newer time (several workers of one
    /// protocol each record the clients they answered; the newest ACK or Reply is the last served).
    public static func mergeNewest(_ other: [UInt32], into newest: inout [UInt32]) {
        precondition(other.count == newest.count)
        for i in newest.indices where other[i] > newest[i] { newest[i] = other[i] }
    }
}
