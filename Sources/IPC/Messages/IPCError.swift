/// Why a message was refused. Every case is fatal for the channel: log it (it is
/// `CustomStringConvertible`), then close the channel.
public enum IPCError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Fewer bytes than a header.
    case shortHeader(count: Int)
    /// The header's length field disagrees with the bytes that follow it.
    case lengthMismatch(declared: UInt32, actual: Int)
    /// The message (header included) exceeds the channel's maximum.
    case oversize(size: Int, limit: Int)
    /// The flags field is not zero (no flags are defined).
    case reservedFlags(UInt16)
    /// No such message type.
    case unknownType(UInt16)
    /// The type exists but this direction may not carry it.
    case forbidden(MessageType, Direction)
    /// The message must carry a descriptor and did not, or carried one it must not.
    case descriptorMismatch(MessageType, attached: Bool)
    /// The payload ended early.
    case truncatedPayload(MessageType, offset: Int, needed: Int)
    /// The payload has bytes after its last field.
    case trailingBytes(MessageType, count: Int)
    /// A field's value is not allowed.
    case invalidField(MessageType, field: String, offset: Int)

    public var description: String {
        switch self {
        case .shortHeader(let n): "IPC message of \(n) bytes is shorter than the 16-byte header"
        case .lengthMismatch(let d, let a): "IPC header declares \(d) payload bytes but \(a) follow"
        case .oversize(let s, let l): "IPC message of \(s) bytes exceeds the channel limit of \(l)"
        case .reservedFlags(let f): "IPC header flags \(f) are not zero"
        case .unknownType(let t): "unknown IPC message type \(t)"
        case .forbidden(let t, let d): "IPC message \(t) is not allowed on \(d)"
        case .descriptorMismatch(let t, let a): "IPC message \(t) " + (a ? "carried an unexpected descriptor" : "lacks its descriptor")
        case .truncatedPayload(let t, let o, let n): "IPC message \(t) payload ends at offset \(o), \(n) more bytes needed"
        case .trailingBytes(let t, let n): "IPC message \(t) payload has \(n) trailing bytes"
        case .invalidField(let t, let f, let o): "IPC message \(t) has an invalid \(f) at payload offset \(o)"
        }
    }
}
