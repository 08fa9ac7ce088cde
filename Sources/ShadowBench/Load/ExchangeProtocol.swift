/// Which step of a two-message exchange a reply answers.
public enum ReplyStep: Sendable, Hashable {
    /// OFFER / Advertise: send the second request.
    case first
    /// ACK / Reply: the exchange is complete.
    case second
    /// NAK: the exchange ended without a lease.
    case refused
    /// Anything else (counted as unexpected).
    case other
}

/// Whether a reply carried what the reservation says.
public enum Verification: Sendable, Hashable {
    case correct
    /// An address or prefix other than the subscriber's.
    case wrong
    /// Nothing to compare (e.g. the floor responder echoes an IA without an address).
    case unverifiable
}

/// One protocol's exchange as the load generator drives it: DORA for DHCPv4 (Discover → Offer,
/// Request → Ack), SARR for DHCPv6 (Solicit → Advertise, Request → Reply), always relayed.
///
/// Implementations write straight into the sender's slots and read replies in the receiver's
/// buffers; nothing allocates per packet.
public protocol ExchangeProtocol {
    /// What ``decode(_:)`` reads from a reply.
    associatedtype Reply
    /// Transaction ids are this wide (0xFFFFFFFF for DHCPv4, 0xFFFFFF for DHCPv6).
    var xidMask: UInt32 { get }
    /// Writes the first request (Discover, Solicit) for `subscriber`; returns its length.
    func writeFirst(xid: UInt32, subscriber: Int, into out: UnsafeMutableRawBufferPointer) -> Int
    /// Reads a reply; nil for anything that is not a reply of this protocol.
    func decode(_ datagram: UnsafeRawBufferPointer) -> Reply?
    func xid(of reply: Reply) -> UInt32
    func step(of reply: Reply) -> ReplyStep
    /// Compares the reply with `subscriber`'s reservation.
    func verify(_ reply: Reply, subscriber: Int) -> Verification
    /// Writes the second request (Request) answering `reply`, which lies in `datagram`.
    func writeSecond(xid: UInt32, subscriber: Int, reply: Reply, datagram: UnsafeRawBufferPointer,
                     into out: UnsafeMutableRawBufferPointer) -> Int
}
