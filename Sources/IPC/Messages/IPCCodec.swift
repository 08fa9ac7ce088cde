import ShadowCore

/// Encodes and decodes whole IPC messages (header + payload) for one direction of a channel.
///
/// Decoding is strict: the header's length must match the bytes exactly, the flags must be 0,
/// the type must be allowed for the direction, the payload must be consumed exactly, and a
/// descriptor must come with exactly the types that carry one.
public enum IPCCodec {
    /// Encodes `message` for `direction`. Refuses (as the peer would) a type the direction does not
    /// allow, a field value the decoder would reject (empty or non-UTF-8 event, bad counter
    /// name, string over 65,535 bytes) or a message larger than `maximumSize`.
    public static func encode(
        _ message: IPCMessage, generation: UInt64, direction: Direction,
        maximumSize: Int = IPCLimits.maximumMessageSize
    ) throws(IPCError) -> [UInt8] {
        guard direction.allows(message.type) else { throw .forbidden(message.type, direction) }
        try MessageValidation.check(message)
        var w = ByteWriter(capacity: IPCHeader.size + 32)
        w.u16(message.type.rawValue)
        w.u16(0)
        w.u32(0)  // patched below
        w.u64(generation)
        PayloadEncoder.encode(message, into: &w)
        let size = w.bytes.count
        guard size <= maximumSize else { throw .oversize(size: size, limit: maximumSize) }
        w.patchU32(UInt32(size - IPCHeader.size), at: 4)
        return w.bytes
    }

    /// Decodes one received message for `direction`. `hasDescriptor` says whether a descriptor
    /// arrived with it (SCM_RIGHTS).
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, hasDescriptor: Bool,
        maximumSize: Int = IPCLimits.maximumMessageSize
    ) throws(IPCError) -> IPCFrame {
        let header = try decodeHeader(bytes, direction: direction, maximumSize: maximumSize)
        guard header.type.carriesDescriptor == hasDescriptor else {
            throw .descriptorMismatch(header.type, attached: hasDescriptor)
        }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[IPCHeader.size...])
        let message = try PayloadDecoder.decode(header.type, payload)
        return IPCFrame(header: header, message: message)
    }

    /// ``decode(_:direction:hasDescriptor:maximumSize:)-(UnsafeRawBufferPointer,_,_,_)`` for an array.
    public static func decode(
        _ bytes: [UInt8], direction: Direction, hasDescriptor: Bool,
        maximumSize: Int = IPCLimits.maximumMessageSize
    ) throws(IPCError) -> IPCFrame {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(IPCError) in
                try decode(raw, direction: direction, hasDescriptor: hasDescriptor, maximumSize: maximumSize)
            }
        }.get()
    }

    /// Checks and returns the header: size limits, exact length, zero flags, known and allowed type.
    public static func decodeHeader(
        _ bytes: UnsafeRawBufferPointer, direction: Direction, maximumSize: Int = IPCLimits.maximumMessageSize
    ) throws(IPCError) -> IPCHeader {
        guard bytes.count <= maximumSize else { throw .oversize(size: bytes.count, limit: maximumSize) }
        guard bytes.count >= IPCHeader.size else { throw .shortHeader(count: bytes.count) }
        var r = ByteReader(bytes)
        // The header is known to be complete: these reads cannot fail.
        let rawType = (try? r.u16()) ?? 0
        let flags = (try? r.u16()) ?? 0
        let length = (try? r.u32()) ?? 0
        let generation = (try? r.u64()) ?? 0
        guard Int(length) == bytes.count - IPCHeader.size else {
            throw .lengthMismatch(declared: length, actual: bytes.count - IPCHeader.size)
        }
        guard flags == 0 else { throw .reservedFlags(flags) }
        guard let type = MessageType(rawValue: rawType) else { throw .unknownType(rawType) }
        guard direction.allows(type) else { throw .forbidden(type, direction) }
        return IPCHeader(type: type, flags: flags, payloadLength: length, generation: generation)
    }
}
