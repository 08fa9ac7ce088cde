import ShadowCore

/// What `online` and `shadowdhcp_online_reservations` report: how many reservations were served
/// within their lease time (each its own effective one: see the loop in `init`), DHCPv4 per subnet of `subnets_v4` (the first subnet containing the
/// reservation's `ipv4`, as the engine picks it), DHCPv6 for the whole server (there is no DHCPv6
/// subnet configuration to group by). Each reservation counts with its own lease time: its
/// `v4_lease_time`, else its subnet's, else the top level's (DHCPv6: its `v6_lease_time`, else the
/// top level's valid lifetime — the `subnets_v6` entry is chosen per request, so it is not known here).
public struct OnlineReport: Sendable, Equatable {
    public struct Subnet: Sendable, Equatable {
        /// `192.0.2.0/24`.
        public var subnet: String
        public var reservations: Int
        public var online: Int
    }

    /// Unix seconds the counts are measured at.
    public var now: UInt64
    public var snapshotGeneration: UInt64
    public var v4Lease: UInt32
    public var v6Valid: UInt32
    public var reservations: Int
    public var v4Online: Int
    public var v6Online: Int
    /// DHCPv4 per configured subnet, in configuration order; reservations in none are not listed.
    public var v4Subnets: [Subnet]
    /// Workers whose times are missing (their clients may be online but not counted).
    public var missingWorkers: [String]

    /// Counts `times` (for `snapshot`, which must be the snapshot they are indexed by).
    public init(times: LastServedTimes, snapshot: ReservationSnapshot, config: ServerConfig, now: UInt64) {
        precondition(times.reservationCount == snapshot.count)
        self.now = now
        snapshotGeneration = times.snapshotGeneration
        v4Lease = config.leases.v4Lease
        v6Valid = config.leases.v6Valid
        reservations = snapshot.count
        missingWorkers = times.missingWorkers
        let subnets = config.subnetsV4
        var perSubnet = [(reservations: Int, online: Int)](repeating: (0, 0), count: subnets.count)
        var v4 = 0, v6 = 0
        for i in 0..<snapshot.count {
            // Each reservation's own lease time, as the engines send it: DHCPv4 the reservation's
            // v4_lease_time, else its subnet's, else the top level's; DHCPv6 the reservation's
            // v6_lease_time, else the top level's (a subnets_v6 entry depends on the relay the
            // client came through, which the times do not record).
            let address = snapshot.ipv4(at: i)
            let s = subnets.firstIndex(where: { $0.net.contains(address) })
            let lease4 = snapshot.optionsV4(at: i).leaseTime ?? s.flatMap { subnets[$0].options.leaseTime } ?? v4Lease
            let online4 = LastServedTimes.isOnline(times.v4[i], now: now, lease: lease4)
            if online4 { v4 += 1 }
            let lease6 = snapshot.optionsV6(at: i).leaseTime ?? v6Valid
            if LastServedTimes.isOnline(times.v6[i], now: now, lease: lease6) { v6 += 1 }
            if let s {
                perSubnet[s].reservations += 1
                if online4 { perSubnet[s].online += 1 }
            }
        }
        v4Online = v4
        v6Online = v6
        v4Subnets = zip(subnets, perSubnet).map {
            Subnet(subnet: $0.0.net.description, reservations: $0.1.reservations, online: $0.1.online)
        }
    }

    /// The `online` response's fields (docs/management.md).
    var fields: [ManagementResponse.Field] {
        [
            .int("now", now),
            .int("snapshot_generation", snapshotGeneration),
            .build("v4") { w in
                w.beginObject()
                w.field("lease_time", v4Lease)
                w.field("reservations", reservations)
                w.field("online", v4Online)
                w.key("subnets")
                w.beginArray()
                for s in v4Subnets {
                    w.beginObject()
                    w.field("subnet", s.subnet)
                    w.field("reservations", s.reservations)
                    w.field("online", s.online)
                    w.endObject()
                }
                w.endArray()
                w.endObject()
            },
            .build("v6") { w in
                w.beginObject()
                w.field("valid_lifetime", v6Valid)
                w.field("reservations", reservations)
                w.field("online", v6Online)
                w.endObject()
            },
            .strings("missing_workers", missingWorkers),
        ]
    }

    var response: ManagementResponse {
        let message = "\(v4Online) of \(reservations) reservations online on DHCPv4, \(v6Online) on DHCPv6"
            + (missingWorkers.isEmpty ? "" : " (without worker(s) \(missingWorkers.joined(separator: ", ")))")
        return .ok(message, fields)
    }
}
