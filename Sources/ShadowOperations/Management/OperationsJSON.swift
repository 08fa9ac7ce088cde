import ShadowCore

/// JSON shapes of the values the new management commands report (keys in a fixed order).
enum OperationsJSON {
    static func write(_ r: WorkerReport, to w: inout JSONWriter) {
        w.beginObject()
        w.field("protocol", r.proto)
        w.field("pid", r.pid)
        w.field("generation", r.generation)
        w.field("account", r.account)
        w.field("uid", r.uid)
        w.field("gid", r.gid)
        w.key("capabilities")
        if let c = r.capabilities { write(c, to: &w) } else { w.null() }
        w.key("no_new_privs")
        if let n = r.noNewPrivs { w.bool(n) } else { w.null() }
        w.field("seccomp_mode", r.seccompMode)
        w.field("restarts", r.restarts)
        w.field("ready", r.ready)
        w.field("seccomp_kills", r.seccompKills)
        w.field("bindings_refused", r.bindingsRefused)
        w.key("limits")
        if let l = r.limits {
            w.beginObject()
            w.field("open_files", l.openFiles)
            w.field("file_size", l.fileSize)
            w.field("core_size", l.coreSize)
            w.field("processes", l.processes)
            w.endObject()
        } else {
            w.null()
        }
        w.endObject()
    }

    /// The five sets as 16-digit hex masks, as `/proc/PID/status` prints them.
    static func write(_ c: CapabilitySets, to w: inout JSONWriter) {
        w.beginObject()
        w.field("inheritable", hex(c.inheritable))
        w.field("permitted", hex(c.permitted))
        w.field("effective", hex(c.effective))
        w.field("bounding", hex(c.bounding))
        w.field("ambient", hex(c.ambient))
        w.endObject()
    }

    static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, 16 - s.count)) + s
    }

    static func write(_ s: ProtocolStats, to w: inout JSONWriter) {
        w.beginObject()
        w.field("received", s.received)
        w.key("replies")
        write(s.replies, to: &w)
        w.key("drops")
        write(s.drops, to: &w)
        w.field("events_dropped", s.eventsDropped)
        w.field("options_omitted", s.optionsOmitted)
        w.endObject()
    }

    static func write(_ counts: [NamedCount], to w: inout JSONWriter) {
        w.beginObject()
        for c in counts { w.field(c.name, c.value) }
        w.endObject()
    }

    /// `clickhouse`: the ClickHouse writer's counters (with `dropped_rejected`; `connected` means
    /// the last insert got an HTTP answer).
    static func write(_ c: EventWriter.Counters, to w: inout JSONWriter, clickhouse: Bool = false) {
        w.beginObject()
        w.field("submitted", c.submitted)
        w.field("sent", c.sent)
        w.field("queued", c.queued)
        w.field("dropped_queue_full", c.droppedQueueFull)
        w.field("dropped_undelivered", c.droppedUndelivered)
        if clickhouse { w.field("dropped_rejected", c.droppedRejected) }
        w.field("connected", c.connected)
        w.endObject()
    }

    static func write(_ e: BindingTable.Entry, to w: inout JSONWriter) {
        w.beginObject()
        w.key("option82")
        write(e.option82, to: &w)
        w.field("last_seen", e.lastSeen)
        w.endObject()
    }

    /// `{"circuit":…,"remote":…,"subscriber":…}`, absent fields as `null`.
    static func write(_ o: Option82, to w: inout JSONWriter) {
        w.beginObject()
        w.field("circuit", o.circuit)
        w.field("remote", o.remote)
        w.field("subscriber", o.subscriber)
        w.endObject()
    }

    static func write(_ o: Option1837, to w: inout JSONWriter) {
        w.beginObject()
        w.field("interface", o.interface)
        w.field("remote", o.remote)
        w.field("enterprise_number", o.enterpriseNumber)
        w.endObject()
    }

    /// A reservation in its persisted shape, compact: `ipv4`, `ipv6_na`, `ipv6_pd`, then the keys it has.
    static func write(_ r: Reservation, to w: inout JSONWriter) {
        w.beginObject()
        w.field("ipv4", r.ipv4.description)
        w.field("ipv6_na", r.ipv6NA.description)
        w.field("ipv6_pd", r.ipv6PD.masked.description)
        if let m = r.mac { w.field("mac", m.description) }
        if let d = r.duid { w.field("duid", d.description) }
        if let o = r.option82 { w.key("option82"); write(o, to: &w) }
        if let o = r.option1837 { w.key("option1837"); write(o, to: &w) }
        if let t = r.optionsV4.leaseTime { w.field("v4_lease_time", t) }
        if r.optionsV4.hasOptions { w.key("options_v4"); w.raw(r.optionsV4.configurationJSON(.v4)) }
        if let t = r.optionsV6.leaseTime { w.field("v6_lease_time", t) }
        if r.optionsV6.hasOptions { w.key("options_v6"); w.raw(r.optionsV6.configurationJSON(.v6)) }
        w.endObject()
    }
}
