/// The fixed 16-byte header in front of every IPC message, little-endian:
/// type u16, flags u16 (must be 0), payload length u32, generation u64.
public struct IPCHeader: Hashable, Sendable {
    public static let size = 16

    public var type: MessageType
    public var flags: UInt16
    public var payloadLength: UInt32
    /// The worker's start generation: stamped by the sender on every message so the master can
    /// drop anything from (or meant for) a previous incarnation of a worker.
    public var generation: UInt64

    public init(type: MessageType, flags: UInt16 = 0, payloadLength: UInt32, generation: UInt64) {
        self.type = type
        self.flags = flags
        self.payloadLength = payloadLength
        self.generation = generation
    }
}

/// A decoded message and its header.
public struct IPCFrame: Hashable, Sendable {
    public var header: IPCHeader
    public var message: IPCMessage

    public var generation: UInt64 { header.generation }
}

/// Limits shared by both ends of every channel.
public enum IPCLimits {
    /// Largest message, header included, on any channel: 64 KiB. The SEQPACKET socket's send
    /// buffer is sized for it; bigger data (the reservation snapshot) goes through a memfd and
    /// the binding table in chunks.
    public static let maximumMessageSize = 64 * 1024
    /// Longest counter name.
    public static let maximumCounterName = 255
}
