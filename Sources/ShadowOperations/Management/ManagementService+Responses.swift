import ShadowCore

extension ManagementService {
    /// `{"success":true,"message":"Status OK","reservation_count":<keys>}` (+ `state_error`).
    static func statusResponse(_ s: StatusReport) -> ManagementResponse {
        .ok("Status OK", reservationCount: s.keyCount, s.stateError.map { [.string("state_error", $0)] } ?? [])
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
