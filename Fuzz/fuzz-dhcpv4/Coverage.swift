import DHCPv4
import ShadowCore

/// A coarse stand-in for coverage in the built-in loop: the kind of outcome an input produced.
enum Coverage {
    static func signature(_ data: UnsafeRawBufferPointer) -> String {
        let o = withUnsafeTemporaryAllocation(byteCount: 1500, alignment: 8) { reply in
            FuzzWorld.engine.handle(datagram: data, source: FuzzWorld.relay, sourcePort: 6767,
                                    snapshot: FuzzWorld.snapshot, bindings: BindingTable(capacity: 8), reply: reply)
        }
        let kind = o.replyType?.name ?? o.reason?.rawValue ?? "recorded"
        var s = "\(kind)|\(o.event.messageTypeName ?? "-")|\(o.event.match?.extractor ?? "-")"
        if let e = o.decodeError { s += "|\(e.kind)|\(e.optionCode ?? 0)|\(e.subOptionCode ?? 0)" }
        return s
    }
}
