import ShadowCore

/// Payload layouts of the operations messages (docs/ipc.md, "Operations process").
enum OpsPayloadCodec {
    // MARK: encoding

    static func encode(_ message: IPCMessage, into w: inout ByteWriter) {
        switch message {
        case .statusRequest(let id), .reloadRequest(let id), .workersRequest(let id), .statsRequest(let id),
             .versionRequest(let id):
            w.u64(id)
        case .replaceRequest(let r):
            w.u64(r.requestID); w.u64(r.byteCount); w.u64(r.digest); w.u32(r.reservationCount)
            w.u64(r.baseGeneration)
        case .changesRequest(let r):
            w.u64(r.requestID); w.u64(r.baseGeneration); w.u64(r.byteCount); w.u64(r.digest); w.u32(r.changeCount)
        case .bindingsRequest(let r):
            w.u64(r.requestID)
            if let mac = r.mac { w.u8(1); PayloadEncoder.mac(mac, &w) } else { w.u8(0) }
        case .statusResponse(let r):
            w.u64(r.requestID); w.u64(r.keyCount); w.u64(r.reservationCount); w.u64(r.snapshotGeneration)
            w.u64(r.snapshotDigest); w.u64(r.snapshotLoadedAtMilliseconds); w.u64(r.reloadFailures)
            if let e = r.stateError { w.u8(1); text32(e, &w) } else { w.u8(0) }
        case .mutationResult(let r):
            w.u64(r.requestID)
            switch r.outcome {
            case .done(let count):
                w.u8(1); w.u32(count)
            case .failed(let error, let lines):
                w.u8(2); text32(error, &w)
                w.u16(UInt16(lines.count))
                for line in lines { text32(line, &w) }
            case .stale(let generation):
                w.u8(3); w.u64(generation)
            }
        case .workersResponse(let r):
            w.u64(r.requestID)
            w.u8(UInt8(r.processes.count))
            for p in r.processes { process(p, &w) }
        case .statsResponse(let r):
            w.u64(r.requestID)
            counters(r.v4, &w)
            counters(r.v6, &w)
        case .bindingsResponse(let r):
            w.u64(r.requestID); w.u64(r.count)
            if let e = r.entry {
                w.u8(1); PayloadEncoder.option82(e.option82, &w); w.u64(e.lastSeen)
            } else {
                w.u8(0)
            }
        case .versionResponse(let r):
            w.u64(r.requestID); w.string16(r.version); w.string16(r.commit)
        case .access(let a):
            if let file = a.tokensFile, let bytes = a.tokensJSON {
                w.u8(1); text32(file, &w); w.u32(UInt32(bytes.count)); w.raw(bytes)
            } else {
                w.u8(0)
            }
            if let g = a.group {
                w.u8(1); w.string16(g.name); w.u32(g.gid); w.u32(UInt32(g.memberUIDs.count))
                for uid in g.memberUIDs.sorted() { w.u32(uid) }
            } else {
                w.u8(0)
            }
            if let t = a.tls {
                w.u8(1)
                for pem in [t.certificatePEM, t.keyPEM] { w.u32(UInt32(pem.count)); w.raw(pem) }
                if let ca = t.clientCAPEM {
                    w.u8(1); w.u32(UInt32(ca.count)); w.raw(ca)
                } else {
                    w.u8(0)
                }
            } else {
                w.u8(0)
            }
        default:
            preconditionFailure("\(message.type) is not an operations message")
        }
    }

    static func kindCode(_ kind: WorkerKind) -> UInt8 {
        switch kind {
        case .v4: 1
        case .v6: 2
        case .ops: 3
        }
    }

    /// kind u8, flags u8 (bit 0 running, 1 audited, 2 ready, 3 NoNewPrivs, 4 limits), pid u32 (0
    /// when not running), generation u64, restarts u64, seccompKills u64, bindingsRefused u64, account
    /// (u16 length + UTF-8), then when audited: uid u32, gid u32, CapInh/Prm/Eff/Bnd/Amb u64 × 5, seccomp mode u8; then with limits: open files, file
    /// size, core size, processes u64 × 4.
    private static func process(_ p: ProcessReport, _ w: inout ByteWriter) {
        var flags: UInt8 = 0
        if p.pid != nil { flags |= 1 }
        if p.status != nil { flags |= 2 }
        if p.ready { flags |= 4 }
        if p.status?.noNewPrivileges == true { flags |= 8 }
        if p.limits != nil { flags |= 16 }
        w.u8(kindCode(p.kind)); w.u8(flags); w.u32(p.pid ?? 0); w.u64(p.generation); w.u64(p.restarts)
        w.u64(p.seccompKills)
        w.u64(p.bindingsRefused)
        w.string16(p.account)
        if let s = p.status {
            w.u32(s.uid)
            w.u32(s.gid)
            for cap in [s.capInheritable, s.capPermitted, s.capEffective, s.capBounding, s.capAmbient] { w.u64(cap) }
            w.u8(s.seccompMode)
        }
        if let l = p.limits {
            for value in [l.openFiles, l.fileSize, l.coreSize, l.processes] { w.u64(value) }
        }
    }

    private static func counters(_ c: ProtocolCounters, _ w: inout ByteWriter) {
        w.u64(c.received); w.u64(c.eventsDropped); w.u64(c.optionsOmitted)
        for list in [c.replies, c.drops, c.leasequery] {
            w.u16(UInt16(list.count))
            for counter in list {
                let name = Array(counter.name.utf8)
                w.u8(UInt8(name.count)); w.raw(name); w.u64(counter.value)
            }
        }
    }

    private static func text32(_ s: String, _ w: inout ByteWriter) {
        let bytes = Array(s.utf8)
        w.u32(UInt32(bytes.count)); w.raw(bytes)
    }

    // MARK: decoding

    static func decode(_ type: MessageType, _ r: inout ByteReader) throws(ByteReader.Failure) -> IPCMessage {
        switch type {
        case .statusRequest: return .statusRequest(try r.u64())
        case .reloadRequest: return .reloadRequest(try r.u64())
        case .workersRequest: return .workersRequest(try r.u64())
        case .statsRequest: return .statsRequest(try r.u64())
        case .versionRequest: return .versionRequest(try r.u64())
        case .replaceRequest:
            return .replaceRequest(ReplaceRequest(requestID: try r.u64(), byteCount: try r.u64(), digest: try r.u64(),
                                                  reservationCount: try r.u32(), baseGeneration: try r.u64()))
        case .changesRequest:
            let id = try r.u64()
            let baseAt = r.offset
            let base = try r.u64()
            guard base != 0 else { throw r.invalid("baseGeneration", at: baseAt) }
            let byteCount = try r.u64(), digest = try r.u64()
            let countAt = r.offset
            let count = try r.u32()
            guard count != 0 else { throw r.invalid("changeCount", at: countAt) }
            return .changesRequest(ChangesRequest(requestID: id, baseGeneration: base, byteCount: byteCount,
                                                  digest: digest, changeCount: count))
        case .bindingsRequest:
            let id = try r.u64()
            let mac: MACAddress? = try presence(&r) ? try PayloadDecoder.mac(&r) : nil
            return .bindingsRequest(BindingsRequest(requestID: id, mac: mac))
        case .statusResponse:
            let id = try r.u64(), keys = try r.u64(), count = try r.u64(), generation = try r.u64()
            let digest = try r.u64(), at = try r.u64(), reloadFailures = try r.u64()
            let error: String? = try presence(&r) ? try text32(&r, "state error") : nil
            return .statusResponse(StatusResponse(requestID: id, keyCount: keys, reservationCount: count,
                                                  snapshotGeneration: generation, snapshotDigest: digest,
                                                  snapshotLoadedAtMilliseconds: at, reloadFailures: reloadFailures,
                                                  stateError: error))
        case .mutationResult:
            let id = try r.u64()
            let at = r.offset
            switch try r.u8() {
            case 1:
                return .mutationResult(MutationResult(requestID: id, outcome: .done(count: try r.u32())))
            case 2:
                let error = try text32(&r, "error")
                let count = Int(try r.u16())
                var lines: [String] = []
                for _ in 0..<count { lines.append(try text32(&r, "error line")) }
                return .mutationResult(MutationResult(requestID: id, outcome: .failed(error: error, lines: lines)))
            case 3:
                return .mutationResult(MutationResult(requestID: id, outcome: .stale(generation: try r.u64())))
            default:
                throw r.invalid("outcome", at: at)
            }
        case .workersResponse:
            let id = try r.u64()
            let count = Int(try r.u8())
            var processes: [ProcessReport] = []
            for _ in 0..<count { processes.append(try process(&r)) }
            return .workersResponse(WorkersResponse(requestID: id, processes: processes))
        case .statsResponse:
            return .statsResponse(StatsResponse(requestID: try r.u64(), v4: try counters(&r), v6: try counters(&r)))
        case .bindingsResponse:
            let id = try r.u64(), count = try r.u64()
            var entry: (option82: Option82, lastSeen: UInt64)?
            if try presence(&r) { entry = (try PayloadDecoder.option82(&r), try r.u64()) }
            return .bindingsResponse(BindingsResponse(requestID: id, count: count, entry: entry))
        case .versionResponse:
            return .versionResponse(VersionResponse(requestID: try r.u64(), version: try r.string16(field: "version"),
                                                    commit: try r.string16(field: "commit")))
        case .access:
            var access = OpsAccess()
            if try presence(&r) {
                access.tokensFile = try text32(&r, "tokens file")
                access.tokensJSON = Array(try r.bytes(Int(try r.u32())))
            }
            if try presence(&r) {
                let name = try r.string16(field: "group name")
                let gid = try r.u32()
                let countAt = r.offset
                let count = Int(try r.u32())
                guard count <= r.remaining / 4 else { throw r.invalid("member count", at: countAt) }
                var members = Set<UInt32>()
                for _ in 0..<count { members.insert(try r.u32()) }
                access.group = ResolvedGroup(name: name, gid: gid, memberUIDs: members)
            }
            if try presence(&r) {
                let certificate = Array(try r.bytes(Int(try r.u32())))
                let key = Array(try r.bytes(Int(try r.u32())))
                var ca: [UInt8]?
                if try presence(&r) { ca = Array(try r.bytes(Int(try r.u32()))) }
                access.tls = OpsTLSMaterial(certificatePEM: certificate, keyPEM: key, clientCAPEM: ca)
            }
            return .access(access)
        default:
            preconditionFailure("\(type) is not an operations message")
        }
    }

    /// A presence byte: 0 absent, 1 present, anything else invalid.
    private static func presence(_ r: inout ByteReader) throws(ByteReader.Failure) -> Bool {
        let at = r.offset
        switch try r.u8() {
        case 0: return false
        case 1: return true
        default: throw r.invalid("presence", at: at)
        }
    }

    private static func text32(_ r: inout ByteReader, _ field: String) throws(ByteReader.Failure) -> String {
        let at = r.offset
        let raw = try r.bytes(Int(try r.u32()))
        guard let s = ByteReader.utf8String(raw) else { throw r.invalid(field, at: at) }
        return s
    }

    private static func process(_ r: inout ByteReader) throws(ByteReader.Failure) -> ProcessReport {
        let at = r.offset
        let kind: WorkerKind
        switch try r.u8() {
        case 1: kind = .v4
        case 2: kind = .v6
        case 3: kind = .ops
        default: throw r.invalid("process kind", at: at)
        }
        let flagsAt = r.offset
        let flags = try r.u8()
        guard flags & ~0b1_1111 == 0, flags & 2 != 0 || flags & 8 == 0 else { throw r.invalid("process flags", at: flagsAt) }
        let pidAt = r.offset
        let pid = try r.u32()
        guard flags & 1 != 0 || pid == 0 else { throw r.invalid("pid", at: pidAt) }
        let generation = try r.u64(), restarts = try r.u64(), seccompKills = try r.u64(), refused = try r.u64()
        let account = try r.string16(field: "account")
        var status: ProcessReport.AuditedStatus?
        if flags & 2 != 0 {
            let uid = try r.u32(), gid = try r.u32()
            let caps = [try r.u64(), try r.u64(), try r.u64(), try r.u64(), try r.u64()]
            let modeAt = r.offset
            let mode = try r.u8()
            guard mode <= 2 else { throw r.invalid("seccomp mode", at: modeAt) }
            status = ProcessReport.AuditedStatus(uid: uid, gid: gid, capInheritable: caps[0], capPermitted: caps[1],
                                                 capEffective: caps[2], capBounding: caps[3], capAmbient: caps[4],
                                                 noNewPrivileges: flags & 8 != 0, seccompMode: mode)
        }
        var limits: ProcessReport.Limits?
        if flags & 16 != 0 {
            limits = ProcessReport.Limits(openFiles: try r.u64(), fileSize: try r.u64(), coreSize: try r.u64(),
                                          processes: try r.u64())
        }
        return ProcessReport(kind: kind, account: account, pid: flags & 1 != 0 ? pid : nil, generation: generation, status: status,
                             restarts: restarts, ready: flags & 4 != 0, seccompKills: seccompKills,
                             bindingsRefused: refused, limits: limits)
    }

    private static func counters(_ r: inout ByteReader) throws(ByteReader.Failure) -> ProtocolCounters {
        var c = ProtocolCounters(received: try r.u64(), eventsDropped: try r.u64())
        c.optionsOmitted = try r.u64()
        c.replies = try PayloadDecoder.counters(&r)
        c.drops = try PayloadDecoder.counters(&r)
        c.leasequery = try PayloadDecoder.counters(&r)
        return c
    }

    // MARK: validation before encoding

    static func check(_ message: IPCMessage) throws(IPCError) {
        let type = message.type
        func limit(_ ok: Bool, _ field: String) throws(IPCError) {
            if !ok { throw .invalidField(type, field: field, offset: 0) }
        }
        switch message {
        case .mutationResult(let r):
            if case .failed(_, let lines) = r.outcome { try limit(lines.count <= Int(UInt16.max), "count") }
        case .workersResponse(let r):
            try limit(r.processes.count <= Int(UInt8.max), "count")
            for p in r.processes { try limit((p.status?.seccompMode ?? 0) <= 2, "seccomp mode") }
        case .statsResponse(let r):
            for list in [r.v4.replies, r.v4.drops, r.v4.leasequery, r.v6.replies, r.v6.drops, r.v6.leasequery] {
                try limit(list.count <= Int(UInt16.max), "count")
                for c in list { try limit(MessageValidation.isCounterName(c.name), "counter name") }
            }
        case .bindingsResponse(let r):
            if let e = r.entry { try MessageValidation.option82(e.option82, type) }
        case .versionResponse(let r):
            try limit(r.version.utf8.count <= Int(UInt16.max) && r.commit.utf8.count <= Int(UInt16.max), "version")
        case .changesRequest(let r):
            try limit(r.baseGeneration != 0, "baseGeneration")
            try limit(r.changeCount != 0, "changeCount")
        default:
            break
        }
    }
}

extension MutationResult {
    /// A failure that fits in one IPC message: the error text is cut at 16 KiB and the lines are
    /// kept while they total at most 40 KiB; the rest is counted in a last line
    /// `... and N more errors`.
    public static func failure(requestID: UInt64, error: String, lines: [String]) -> MutationResult {
        func cut(_ s: String, _ max: Int) -> String {
            s.utf8.count <= max ? s : String(decoding: s.utf8.prefix(max), as: UTF8.self)
        }
        var kept: [String] = []
        var total = 0
        for line in lines {
            let size = min(line.utf8.count, 4096) + 4
            guard total + size <= 40 * 1024, kept.count < 1000 else { break }
            kept.append(cut(line, 4096))
            total += size
        }
        if kept.count < lines.count { kept.append("... and \(lines.count - kept.count) more errors") }
        return MutationResult(requestID: requestID, outcome: .failed(error: cut(error, 16 * 1024), lines: kept))
    }
}
