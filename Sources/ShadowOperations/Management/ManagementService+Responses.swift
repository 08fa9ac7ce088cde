import ShadowCore

extension ManagementService {
    /// `{"success":true,"message":"Status OK","reservation_count":<keys>,…,"reservations":<N>,"index_keys":<keys>}`
    /// (+ `state_error`). `reservation_count` stays upstream's (index entries); `reservations` and
    /// `index_keys` name the two counts apart.
    static func statusResponse(_ s: StatusReport) -> ManagementResponse {
        // The digest is always known from the master; 0 only from a backend that has none.
        var fields: [ManagementResponse.Field] = [.int("snapshot_generation", s.snapshotGeneration),
                                                  .string("snapshot_digest", OperationsJSON.hex(s.snapshotDigest ?? 0)),
                                                  .int("reservations", s.reservationCount),
                                                  .int("index_keys", s.keyCount)]
        if let e = s.stateError { fields.append(.string("state_error", e)) }
        return .ok("Status OK", reservationCount: s.keyCount, fields)
    }

    /// `Added 1 reservation` etc. with the new count, generation and digest; or every error.
    static func changeResponse(_ result: Result<ChangeResult, ManagementFailure>, warnings: [String]) -> ManagementResponse {
        switch result {
        case .success(let r):
            var fields: [ManagementResponse.Field] = [.int("snapshot_generation", r.snapshotGeneration),
                                                      .string("snapshot_digest", OperationsJSON.hex(r.snapshotDigest))]
            if !warnings.isEmpty { fields.append(.strings("warnings", warnings)) }
            return .ok(r.counts.summary, reservationCount: r.reservationCount, fields)
        case .failure(let f):
            return .failure(f.error, f.errors.isEmpty ? [] : [.strings("errors", f.errors)])
        }
    }

    /// `reservation-get`: the entry or `null`, from the live snapshot.
    static func getResponse(_ key: ReservationKey, snapshot: ReservationSnapshot) -> ManagementResponse {
        let found = snapshot.index(of: key).map { snapshot[$0] }
        return .ok(found == nil ? "No reservation found" : "Reservation found", [
            .build("query") { w in
                w.beginObject()
                w.key(key.kind.name)
                switch key {
                case .option82(let o): OperationsJSON.write(o, to: &w)
                case .option1837(let o): OperationsJSON.write(o, to: &w)
                default: w.string(key.description)
                }
                w.endObject()
            },
            .build("reservation") { w in if let found { OperationsJSON.write(found, to: &w) } else { w.null() } },
            .int("snapshot_generation", snapshot.generation),
        ])
    }

    /// `reservations-list`: one page of the live snapshot, in its order, and where the next starts.
    static func listResponse(from: Int, limit: Int, snapshot: ReservationSnapshot) -> ManagementResponse {
        let range = min(from, snapshot.count)..<min(from + limit, snapshot.count)
        let message = range.isEmpty ? "No reservations from \(from) (\(snapshot.count) in all)"
            : "Reservations \(range.lowerBound) to \(range.upperBound - 1) of \(snapshot.count)"
        return .ok(message, reservationCount: snapshot.count, [
            .int("from", from),
            .int("limit", limit),
            .int("next", range.upperBound < snapshot.count ? range.upperBound : nil),
            .int("snapshot_generation", snapshot.generation),
            .build("reservations") { w in
                w.beginArray()
                for i in range { OperationsJSON.write(snapshot[i], to: &w) }
                w.endArray()
            },
        ])
    }

    /// `Reloaded N reservations` / `Replaced with N reservations`, or the backend's failure.
    static func mutationResponse(_ result: Result<Int, ManagementFailure>, verb: String,
                                 warnings: [String]) -> ManagementResponse {
        switch result {
        case .success(let n):
            return .ok("\(verb) \(n) reservations", reservationCount: n,
                       warnings.isEmpty ? [] : [.strings("warnings", warnings)])
        case .failure(let f):
            return .failure(f.error, f.errors.isEmpty ? [] : [.strings("errors", f.errors)])
        }
    }

    static func workersResponse(_ workers: [WorkerReport]) -> ManagementResponse {
        .ok("\(workers.count) worker\(workers.count == 1 ? "" : "s")", [.build("workers") { w in
            w.beginArray()
            for worker in workers { OperationsJSON.write(worker, to: &w) }
            w.endArray()
        }])
    }

    static func statsResponse(_ s: StatsReport) -> ManagementResponse {
        var fields: [ManagementResponse.Field] = [
            .build("v4") { OperationsJSON.write(s.v4, to: &$0) },
            .build("v6") { OperationsJSON.write(s.v6, to: &$0) },
        ]
        if let e = s.events { fields.append(.build("events") { OperationsJSON.write(e, to: &$0) }) }
        if let c = s.clickhouse {
            fields.append(.build("clickhouse") { OperationsJSON.write(c, to: &$0, clickhouse: true) })
        }
        return .ok("Statistics", fields)
    }

    static func bindingsResponse(count: Int, mac: MACAddress?, entry: BindingTable.Entry?) -> ManagementResponse {
        var fields: [ManagementResponse.Field] = [.int("binding_count", count)]
        var message = "\(count) binding\(count == 1 ? "" : "s")"
        if let mac {
            fields.append(.string("mac", mac.description))
            fields.append(.build("binding") { w in
                if let entry { OperationsJSON.write(entry, to: &w) } else { w.null() }
            })
            message += entry == nil ? "; none for \(mac)" : "; \(mac) is bound"
        }
        return .ok(message, fields)
    }

    static func versionResponse(_ v: VersionReport) -> ManagementResponse {
        .ok("shadowdhcp \(v.version) (\(v.commit))", [.string("version", v.version), .string("commit", v.commit)])
    }
}
