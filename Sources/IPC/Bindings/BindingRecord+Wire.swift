/// The IPC encoding of one binding (docs/ipc.md, `binding`), for other channels that carry
/// bindings: the HA peer channel (docs/high-availability.md) uses the same bytes.
extension BindingRecord {
    /// Appends `mac, option82, lastSeen u64`.
    public func encode(into w: inout ByteWriter) { PayloadEncoder.binding(self, &w) }

    /// Bytes ``encode(into:)`` writes.
    public var encodedSize: Int { PayloadEncoder.bindingSize(self) }

    /// Reads one binding; throws on a shortfall or an invalid field.
    public static func decode(from r: inout ByteReader) throws(ByteReader.Failure) -> BindingRecord {
        try PayloadDecoder.binding(&r)
    }
}
