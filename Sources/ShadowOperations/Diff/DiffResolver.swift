import ShadowCore
import ShadowSystem

/// Answers `diff`: what a `replace` with a validated list would change in the live snapshot
/// (``ReservationDiff``), computed on a background thread (about a second for 1,000,000 against
/// 1,000,000 in a release build), so that neither the event loop nor the cooperative pool waits.
struct DiffResolver {
    /// Entries listed per kind (added, removed, changed, moved); the counts cover all of them.
    static let listed = 50

    let snapshot: ReservationSnapshot
    let config: ServerConfig
    /// Whether a live entry was served recently (nil: not known; see ``LastServedLookup``).
    let lastServed: LastServedLookup?

    func response(new: [Reservation], warnings: [String]) async -> ManagementResponse {
        let snapshot = self.snapshot
        let diff = await BackgroundThread.result { ReservationDiff(old: snapshot, new: new) }
        return response(diff, new: new, warnings: warnings)
    }

    func response(_ diff: ReservationDiff, new: [Reservation], warnings: [String]) -> ManagementResponse {
        let message = "Diff against generation \(snapshot.generation): \(diff.added.count) added, "
            + "\(diff.removed.count) removed, \(diff.changed.count) changed, \(diff.unchanged) unchanged, "
            + "\(diff.moves.count) addresses moved"
        var fields: [ManagementResponse.Field] = [
            .int("current_count", snapshot.count),
            .int("snapshot_generation", snapshot.generation),
            .build("added") { w in
                list(diff.added, to: &w) { i, w in entry(i, new[i], to: &w) }
            },
            .build("removed") { w in
                list(diff.removed, to: &w) { i, w in entry(i, snapshot[i], to: &w) }
            },
            .build("changed") { w in
                list(diff.changed, to: &w) { c, w in change(c, new: new, to: &w) }
            },
            .int("unchanged", diff.unchanged),
            .build("moved") { w in
                list(diff.moves, to: &w) { m, w in move(m, new: new, to: &w) }
            },
            .int("served_recently", diff.servedRecently(lastServed)),
        ]
        if !warnings.isEmpty { fields.append(.strings("warnings", warnings)) }
        return .ok(message, reservationCount: new.count, fields)
    }

    /// `{"count":N,"first":[…]}` with the first ``listed`` items.
    private func list<T>(_ items: [T], to w: inout JSONWriter, _ item: (T, inout JSONWriter) -> Void) {
        w.beginObject()
        w.field("count", items.count)
        w.key("first")
        w.beginArray()
        for x in items.prefix(Self.listed) { item(x, &w) }
        w.endArray()
        w.endObject()
    }

    private func entry(_ i: Int, _ r: Reservation, to w: inout JSONWriter) {
        w.beginObject()
        w.field("entry", i)
        w.key("reservation")
        OperationsJSON.write(r, to: &w)
        w.endObject()
    }

    private func change(_ c: ReservationDiff.Change, new: [Reservation], to w: inout JSONWriter) {
        let old = snapshot[c.old]
        w.beginObject()
        w.field("entry", c.new)
        w.field("current_entry", c.old)
        w.key("fields")
        w.beginObject()
        for k in c.fields {
            w.key(k.name)
            w.beginObject()
            w.key("from")
            value(k, old, to: &w)
            w.key("to")
            value(k, new[c.new], to: &w)
            w.endObject()
        }
        for setting in c.settings {
            w.key(setting.rawValue)
            w.beginObject()
            w.key("from")
            value(setting, old, to: &w)
            w.key("to")
            value(setting, new[c.new], to: &w)
            w.endObject()
        }
        w.endObject()
        w.endObject()
    }

    /// `r`'s lease time (a number) or options object (`null` when it sets none).
    private func value(_ s: ReservationDiff.Setting, _ r: Reservation, to w: inout JSONWriter) {
        switch s {
        case .v4LeaseTime: w.int(r.optionsV4.leaseTime)
        case .v6LeaseTime: w.int(r.optionsV6.leaseTime)
        case .optionsV4: if r.optionsV4.hasOptions { w.raw(r.optionsV4.configurationJSON(.v4)) } else { w.null() }
        case .optionsV6: if r.optionsV6.hasOptions { w.raw(r.optionsV6.configurationJSON(.v6)) } else { w.null() }
        }
    }

    private func move(_ m: ReservationDiff.Move, new: [Reservation], to w: inout JSONWriter) {
        w.beginObject()
        w.field("field", m.field.name)
        w.field("value", m.value.description)
        w.field("from_current_entry", m.old)
        w.key("from")
        OperationsJSON.write(snapshot[m.old], to: &w)
        w.field("to_entry", m.new)
        w.key("to")
        OperationsJSON.write(new[m.new], to: &w)
        w.endObject()
    }

    /// `r`'s field `k` as JSON (`null` when absent).
    private func value(_ k: ReservationKey.Kind, _ r: Reservation, to w: inout JSONWriter) {
        switch k {
        case .option82: if let o = r.option82 { OperationsJSON.write(o, to: &w) } else { w.null() }
        case .option1837: if let o = r.option1837 { OperationsJSON.write(o, to: &w) } else { w.null() }
        default: w.string(ReservationKey.of(k, in: r)?.description)
        }
    }
}
