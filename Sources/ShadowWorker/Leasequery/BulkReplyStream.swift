import ShadowCore

/// The replies to one bulk leasequery, produced only as fast as the connection takes them: the
/// TCP machinery (``BulkLeasequeryServer``) asks for more while the connection's queue is below
/// its limit, so a query of a million leases never holds a million encoded replies.
///
/// Protocol-neutral: DHCPv4 (RFC 6926) and DHCPv6 (RFC 5460) bulk leasequery each provide one.
public protocol BulkReplyStream: AnyObject {
    /// Hands the next reply message(s) to `emit`, each a whole message without its 2-byte length
    /// prefix (the server adds it). Returns false once the stream has emitted its last message.
    func next(_ emit: (UnsafeRawBufferPointer) -> Void) -> Bool
}

/// A stream of messages already encoded (a single reply, a refusal).
public final class EncodedReplies: BulkReplyStream {
    private var messages: [[UInt8]]

    public init(_ messages: [[UInt8]]) { self.messages = messages }

    public func next(_ emit: (UnsafeRawBufferPointer) -> Void) -> Bool {
        for m in messages { m.withUnsafeBytes(emit) }
        messages = []
        return false
    }
}

/// How one bulk leasequery connection ended, or was refused (counters
/// `leasequery.connections.<name>`, docs/metrics.md).
public enum BulkConnectionEvent: String, Sendable, CaseIterable {
    /// Accepted and kept.
    case accepted = "Accepted"
    /// Closed at once: the peer address is outside `leasequery.allowed`.
    case notAllowed = "NotAllowed"
    /// Closed at once: `bulk_max_connections` were open.
    case tooMany = "TooMany"
    /// Closed: a frame the protocol's handler could not decode at all (or a zero length).
    case malformed = "Malformed"
    /// Closed: a frame longer than `bulk_max_message_bytes`.
    case oversized = "Oversized"
    /// Closed: no byte read or written for `bulk_idle_timeout_seconds`.
    case idleTimeout = "IdleTimeout"
    /// Closed: open for `bulk_lifetime_seconds`.
    case lifetime = "Lifetime"
    /// The peer closed or reset it.
    case closedByPeer = "ClosedByPeer"
    /// Reading or writing failed otherwise.
    case failed = "Failed"
}
