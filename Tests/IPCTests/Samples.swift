import IPC
import ShadowCore

/// Sample messages and reservations shared by the IPC tests.
enum Samples {
    static let option82 = Option82(circuit: "eth0/1/2:100", remote: "olt-7", subscriber: nil)
    static let mac = MACAddress(value: 0x0011_2233_4455)

    static let records = [
        BindingRecord(mac: mac, option82: option82, lastSeen: 1_800_000_000),
        BindingRecord(mac: MACAddress(value: 0xAABB_CCDD_EEFF), option82: Option82(subscriber: "ünïcødé"), lastSeen: 0),
        BindingRecord(mac: MACAddress(value: 1), option82: Option82(), lastSeen: .max),
    ]

    /// One of every message, each with the directions it may travel in.
    static let messages: [(IPCMessage, Direction)] = [
        (.ready(ReadyMessage(pid: 4242, uid: 65534, gid: 65533, workerGeneration: 7)), .v4ToMaster),
        (.ready(ReadyMessage(pid: 1, uid: 2, gid: 3, workerGeneration: .max)), .v6ToMaster),
        (.shutdown, .masterToV4),
        (.shutdown, .masterToV6),
        (.snapshot(SnapshotAnnouncement(snapshotGeneration: 3, byteCount: 80_000_016, digest: 0xDEAD_BEEF_0BAD_F00D,
                                        reservationCount: 1_000_000)), .masterToV4),
        (.snapshotApplied(SnapshotApplied(snapshotGeneration: 3, reservationCount: 1_000_000)), .v4ToMaster),
        (.snapshotRejected(SnapshotRejected(snapshotGeneration: 4, reason: .digestMismatch)), .v6ToMaster),
        (.bindingLearned(BindingLearned(mac: mac, option82: option82)), .v4ToMaster),
        (.bindingUpdate(records[0]), .masterToV6),
        (.bindingRemove(mac), .masterToV6),
        (.bindingTableBegin(BindingTableMarker(tableGeneration: 9, entryCount: 3)), .masterToV6),
        (.bindingTableChunk(BindingTableChunk(tableGeneration: 9, records: records)), .masterToV6),
        (.bindingTableCommit(BindingTableMarker(tableGeneration: 9, entryCount: 3)), .masterToV6),
        (.event(Array(#"{"event":"v4","mac":"00-11-22-33-44-55"}"#.utf8)), .v4ToMaster),
        (.counters([Counter(name: "v4.discover", value: 12), Counter(name: "v4.dropped.truncated", value: .max)]),
         .v6ToMaster),
        (.counters([]), .v4ToMaster),
        (.configure(WorkerConfiguration(idsJSON: Array(#"{"v4":"192.0.2.1"}"#.utf8), configJSON: [])), .masterToV4),
        (.configure(WorkerConfiguration(idsJSON: [1], configJSON: Array(repeating: 0x7B, count: 300))), .masterToV6),
        // The operations process.
        (.ready(ReadyMessage(pid: 77, uid: 65534, gid: 65534, workerGeneration: 2)), .opsToMaster),
        (.statusRequest(1), .opsToMaster),
        (.reloadRequest(2), .opsToMaster),
        (.replaceRequest(ReplaceRequest(requestID: 3, byteCount: 4096, digest: 0xFEED, reservationCount: 9)),
         .opsToMaster),
        (.replaceRequest(ReplaceRequest(requestID: 4, byteCount: 64, digest: 1, reservationCount: 0,
                                        baseGeneration: .max)), .opsToMaster),
        (.changesRequest(ChangesRequest(requestID: 9, baseGeneration: 12, byteCount: 300, digest: .max,
                                        changeCount: 3)), .opsToMaster),
        (.workersRequest(.max), .opsToMaster),
        (.statsRequest(5), .opsToMaster),
        (.bindingsRequest(BindingsRequest(requestID: 6, mac: mac)), .opsToMaster),
        (.bindingsRequest(BindingsRequest(requestID: 7, mac: nil)), .opsToMaster),
        (.versionRequest(8), .opsToMaster),
        (.statusResponse(StatusResponse(requestID: 1, keyCount: 2, reservationCount: 1, snapshotGeneration: 3,
                                        snapshotLoadedAtMilliseconds: 1_800_000_000_123, reloadFailures: 4,
                                        stateError: nil)), .masterToOps),
        (.statusResponse(StatusResponse(requestID: 1, keyCount: 0, reservationCount: 0, snapshotGeneration: 1,
                                        snapshotLoadedAtMilliseconds: 0, stateError: "cannot write ü")), .masterToOps),
        (.mutationResult(MutationResult(requestID: 2, outcome: .done(count: 1_000_000))), .masterToOps),
        (.mutationResult(MutationResult(requestID: 2, outcome: .stale(generation: 7))), .masterToOps),
        (.mutationResult(MutationResult(requestID: 3, outcome: .failed(error: "Failed to parse reservations: x",
                                                                       lines: ["a", "", "ü"]))), .masterToOps),
        (.workersResponse(WorkersResponse(requestID: 4, processes: [
            ProcessReport(kind: .v4, account: "_shadowdhcp-v4", pid: 10, generation: 1, status: ProcessReport.AuditedStatus(
                uid: 65534, gid: 65533, capInheritable: 0, capPermitted: 0, capEffective: 0, capBounding: 0, capAmbient: 0,
                noNewPrivileges: true, seccompMode: 2), restarts: 0, ready: true, seccompKills: 3,
                limits: ProcessReport.Limits(openFiles: 16, fileSize: 67_108_864, coreSize: 0, processes: UInt64.max)),
            ProcessReport(kind: .v6, pid: nil, generation: 3, status: nil, restarts: 2, ready: false),
            ProcessReport(kind: .ops, pid: 12, generation: 1, status: ProcessReport.AuditedStatus(
                uid: 1, capInheritable: 1, capPermitted: 2, capEffective: 3, capBounding: 4, capAmbient: 5,
                noNewPrivileges: false, seccompMode: 0), restarts: 0, ready: false),
        ])), .masterToOps),
        (.statsResponse(StatsResponse(requestID: 5, v4: {
            var c = ProtocolCounters(received: 9, eventsDropped: 1, replies: [Counter(name: "Offer", value: 3)],
                                     drops: [Counter(name: "NoReservation", value: 6)],
                                     leasequery: [Counter(name: "udp.Address.Active", value: 2)])
            c.optionsOmitted = 4
            return c
        }(), v6: ProtocolCounters())), .masterToOps),
        (.bindingsResponse(BindingsResponse(requestID: 6, count: 1, entry: (option82, 1_800_000_000))), .masterToOps),
        (.bindingsResponse(BindingsResponse(requestID: 7, count: 0, entry: nil)), .masterToOps),
        (.versionResponse(VersionResponse(requestID: 8, version: "0.1.0", commit: "unknown")), .masterToOps),
        (.event(Array("{\"ip_version\":\"v4\"}\n".utf8)), .masterToOps),
        // High availability.
        (.shares(WorkerShares(shares: ServiceShares(mode: .loadBalancing, serverCount: 3, primaryIndex: 0,
                                                    answering: 0b101), holdCorrelation: true)), .masterToV6),
        (.shares(WorkerShares(shares: ServiceShares(mode: .hotStandby, serverCount: 9, primaryIndex: 8,
                                                    answering: 0x100), holdCorrelation: false)), .masterToV4),
        (.shares(.standalone), .masterToV4),
        // Storm control.
        (.rateLimits(RateLimitSettings(perClientPerSecond: 10, perRelayPerSecond: 5000)), .masterToV4),
        (.rateLimits(.unlimited), .masterToV6),
        (.peerSetup(PeerSetup(key: Array(repeating: 0x41, count: 64), tableSynced: false)), .masterToOps),
        (.peerStates(PeerStates(livePeers: ["dhcp-b", "dhcp.c_1"], tableSynced: true)), .opsToMaster),
        (.peerStates(PeerStates(livePeers: [], tableSynced: false)), .opsToMaster),
        (.peerBindings(Array(records.prefix(2))), .opsToMaster),
        (.localBindings(Array(records.prefix(2))), .masterToOps),
        (.localBindings([]), .masterToOps),
        (.bindingTableRequest(11), .opsToMaster),
        (.bindingTableBegin(BindingTableMarker(tableGeneration: 11, entryCount: 2)), .masterToOps),
        (.bindingTableChunk(BindingTableChunk(tableGeneration: 11, records: Array(records.prefix(2)))), .masterToOps),
        (.bindingTableCommit(BindingTableMarker(tableGeneration: 11, entryCount: 2)), .masterToOps),
    ]

    static func reservations(_ count: Int) -> [Reservation] {
        (0..<count).map { i in
            let n = UInt32(i)
            var r = Reservation(
                ipv4: IPv4Address(0x0A00_0000 | n),
                ipv6NA: IPv6Address(high: 0x2001_0db8_0000_0000, low: UInt64(i)),
                ipv6PD: IPv6Prefix(address: IPv6Address(high: 0x2001_0db8_1000_0000 | UInt64(i) << 8, low: 0),
                                   prefixLength: 56))
            switch i % 4 {
            case 0: r.mac = MACAddress(value: 0x0200_0000_0000 | UInt64(i))
            case 1: r.duid = DUID(bytes: [0, 3, 0, 1, 2, 0, 0, 0, UInt8(i & 0xFF), UInt8((i >> 8) & 0xFF)])
            case 2: r.option82 = Option82(circuit: "olt1/\(i)", remote: "r\(i % 100)")
            default:
                r.option1837 = Option1837(interface: "ge-0/0/\(i % 48)", remote: "cpe-\(i)", enterpriseNumber: 4874)
                r.mac = MACAddress(value: UInt64(i))
            }
            return r
        }
    }
}
