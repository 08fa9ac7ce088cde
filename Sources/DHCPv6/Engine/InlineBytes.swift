/// A short byte string kept in the value itself, so that taking it out of a datagram allocates
/// nothing: up to ``inlineCapacity`` bytes are stored inline, a longer one in an array. Used for
/// the relay's Interface-ID and Remote-ID payloads of ``DHCPv6Event``, which outlive the datagram
/// but are rarely longer than a few dozen bytes.
public struct InlineBytes: Sendable, Hashable, CustomStringConvertible {
    /// Bytes stored without an allocation.
    public static let inlineCapacity = 48

    @usableFromInline typealias Storage = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    @usableFromInline var storage: Storage = (0, 0, 0, 0, 0, 0)
    @usableFromInline var inlineCount: UInt8 = 0
    /// The bytes, when there are more than ``inlineCapacity``.
    @usableFromInline var overflow: [UInt8]?

    /// A copy of `bytes`.
    public init(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count <= Self.inlineCapacity else {
            overflow = Array(bytes)
            return
        }
        inlineCount = UInt8(bytes.count)
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) }
    }

    /// A copy of `bytes`.
    public init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { InlineBytes($0) }
    }

    public var count: Int { overflow?.count ?? Int(inlineCount) }

    /// Calls `body` with the bytes (valid only during the call). Inlinable, so a caller in another
    /// module (the v6 worker's storm control, per packet) gets it specialised, not through
    /// generic witness tables.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let overflow { return try overflow.withUnsafeBytes(body) }
        return try Swift.withUnsafeBytes(of: storage) { try body(UnsafeRawBufferPointer(rebasing: $0[0..<Int(inlineCount)])) }
    }

    /// The bytes as an array (allocates).
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    public static func == (a: InlineBytes, b: InlineBytes) -> Bool {
        a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.elementsEqual(y) } }
    }

    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes { hasher.combine(bytes: $0) }
        hasher.combine(count)
    }

    /// Colon-separated hex, e.g. `62:65:6e:63:68`.
    public var description: String {
        withUnsafeBytes { $0.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":") }
    }
}
