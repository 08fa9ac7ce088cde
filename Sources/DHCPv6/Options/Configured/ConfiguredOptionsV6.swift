import ShadowCore

/// The configured options (`options_v6` of the three levels) a DHCPv6 Advertise or Reply carries
/// (docs/dhcpv6.md, "Options"): each one the client lists in its Option Request Option (6), and
/// each `always_send` one, in ascending code order like the rest of the reply. DNS (23) keeps its
/// own rule (``ReplyEncoder``); Information Refresh Time (32) goes only in the Reply to an
/// Information-request (RFC 8415 §21.23).
enum ConfiguredOptionsV6 {
    /// Codes the encoder writes itself (or that only a server's own logic may build): never sent as
    /// a configured option.
    @inline(__always)
    static func isServerWritten(_ code: UInt16) -> Bool {
        switch code {
        case 1...9, 11, 12, 13, 14, 18, 19, 20, 23, 25, 26, 37, 79: true
        default: false
        }
    }

    /// What one reply asks of the configured options, read once per reply: the table positions
    /// (below 64) that the Option Request Option lists or that are `always_send`, as bits; the
    /// option itself for the positions beyond; and how far in the table (ascending code order) the
    /// writes have got.
    struct Walk {
        let oro: UnsafeRawBufferPointer
        let informationRequest: Bool
        var wanted: UInt64 = 0
        var next = 0
        /// Whether the table's cache holds the answer to this ORO, and its three pieces
        /// (``DHCPReplyOptionsCache/pieces(_:)``).
        var hit = false
        var cached = (UnsafeRawBufferPointer(start: nil, count: 0), UnsafeRawBufferPointer(start: nil, count: 0),
                      UnsafeRawBufferPointer(start: nil, count: 0))
        /// Which of the three writes comes next, and, on a miss, where each wrote (start, end).
        var piece = 0
        var written: (Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0)
        /// False once a write went through the writer's own encoding (a value no option can hold).
        var cacheable = true

        @inline(__always)
        init(_ source: DHCPOptionTable?, oro: UnsafeRawBufferPointer, informationRequest: Bool) {
            self.oro = oro
            self.informationRequest = informationRequest
            guard let source else { return }
            if let value = ConfiguredOptionsV6.cache(source, informationRequest).lookup(oro) {
                hit = true
                cached = DHCPReplyOptionsCache.pieces(value)
                return
            }
            let wire = source.unsafeV6Wire  // `source` is held for the whole call
            wanted = wire.alwaysSendMask
            var i = 0
            while i + 1 < oro.count {
                let code = UInt16(oro[i]) << 8 | UInt16(oro[i + 1])
                if let p = wire.position(of: code), p < 64 { wanted |= 1 << UInt64(p) }
                i += 2
            }
        }

        /// Whether the position `p` of `wire` is asked for or `always_send`.
        @inline(__always)
        func wants(_ p: Int, _ wire: DHCPOptionWire) -> Bool {
            p < 64 ? wanted & (1 << UInt64(p)) != 0
                : wire.alwaysSend[p] || ConfiguredOptionsV6.requests(oro, wire.codes[p])
        }
    }

    /// Writes the winners of `source` from where `walk` stopped up to code `upper` that the
    /// request asks for (or that are `always_send`), each copied ready-made
    /// (``DHCPOptionTable/unsafeV6Wire``).
    ///
    /// Called three times per reply (through 22, 24 and the end): an ORO whose three pieces the
    /// table's cache holds (``DHCPOptionTable/v6ReplyCache``) gets each piece with one copy, the
    /// bytes the walk would write; after a walk that wrote everything, the third call stores them.
    @inline(__always)
    static func write(_ source: DHCPOptionTable, through upper: UInt16, walk: inout Walk, into w: inout WireWriter) {
        let piece = walk.piece
        walk.piece = piece &+ 1
        if walk.hit {
            w.append(piece == 0 ? walk.cached.0 : piece == 1 ? walk.cached.1 : walk.cached.2)
            return
        }
        miss(source, through: upper, piece: piece, walk: &walk, into: &w)
    }

    /// The walk, recording where each piece went, and the store after the third.
    @inline(never)
    static func miss(_ source: DHCPOptionTable, through upper: UInt16, piece: Int, walk: inout Walk,
                     into w: inout WireWriter) {
        let start = w.position
        walkWrite(source, through: upper, walk: &walk, into: &w)
        switch piece {
        case 0: walk.written.0 = start; walk.written.1 = w.position
        case 1: walk.written.2 = start; walk.written.3 = w.position
        default:
            walk.written.4 = start; walk.written.5 = w.position
            if piece == 2 && walk.cacheable && !w.overflowed { store(source, walk, w) }
        }
    }

    /// The table's cache for replies to an Information-request, or for the others.
    @inline(__always)
    static func cache(_ source: DHCPOptionTable, _ informationRequest: Bool) -> DHCPReplyOptionsCache {
        informationRequest ? source.v6InformationReplyCache : source.v6ReplyCache
    }

    @inline(never)
    static func store(_ source: DHCPOptionTable, _ walk: Walk, _ w: WireWriter) {
        let t = walk.written
        cache(source, walk.informationRequest).store(key: walk.oro, pieces: w.written(t.0..<t.1),
                                                     w.written(t.2..<t.3), w.written(t.4..<t.5))
    }

    @inline(__always)
    static func walkWrite(_ source: DHCPOptionTable, through upper: UInt16, walk: inout Walk, into w: inout WireWriter) {
        let wire = source.unsafeV6Wire  // `source` is held for the whole call
        while walk.next < wire.count {
            let p = walk.next, code = wire.codes[p]
            guard code <= upper else { return }
            walk.next = p &+ 1
            guard walk.wants(p, wire), !isServerWritten(code) else { continue }
            if code == DHCPv6OptionCode.informationRefreshTime && !walk.informationRequest { continue }
            let option = wire.option(at: p)
            if option.isEmpty {  // a value no option can hold: the writer refuses it, as before
                walk.cacheable = false
                let start = w.beginOption(code)
                source.withValue(p) { w.bytes($0, 0..<$0.count) }
                w.endOption(start)
            } else {
                w.append(option)
            }
        }
    }

    /// Whether the Option Request Option payload `oro` lists `code`.
    @inline(__always)
    static func requests(_ oro: UnsafeRawBufferPointer, _ code: UInt16) -> Bool {
        var i = 0
        while i + 1 < oro.count {
            if UInt16(oro[i]) << 8 | UInt16(oro[i + 1]) == code { return true }
            i += 2
        }
        return false
    }
}
