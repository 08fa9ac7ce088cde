import DHCPWireKit
import DHCPv4
import DHCPv6
import IPC
import Logging
import ShadowCore
import Testing
@testable import ShadowWorker

/// The workers' counters live in fixed slots; what they report must not change: the names the
/// master, `shadowctl stats` and `/metrics` know, only counters that moved, sorted by name.
@Suite("Worker counters")
struct WorkerCountersTests {
    @Test("Slots: common counters first, a name asked for twice keeps one slot, nil is prefix.Unknown")
    func slots() {
        var table = CounterTable()
        let drops = CounterSlots("drop.", DHCPv6NoReplyReason.allCases, in: &table) { $0.rawValue }
        #expect(Array(table.names.prefix(CommonCounter.allCases.count)) == CommonCounter.allCases.map(\.name))
        #expect(table.names.filter { $0 == "drop.SendFailed" }.count == 1)
        #expect(drops[.sendFailed] == CommonCounter.dropSendFailed.rawValue)
        #expect(table.names[drops[.noReservation]] == "drop.NoReservation")
        #expect(table.names[drops[nil]] == "drop.Unknown")
        #expect(Set(DHCPv6NoReplyReason.allCases.map { drops[$0] }).count == DHCPv6NoReplyReason.allCases.count)
    }

    @Test("Reported: the counters that moved, sorted by name")
    func reported() {
        var counters = WorkerCounters(names: V4PacketHandler.counterNames)
        #expect(counters.isEmpty && counters.reported.isEmpty)
        counters.add(.received, by: 3)
        counters.add(CommonCounter.bindingsDropped.rawValue)
        counters.add(.received)
        #expect(counters.reported == [Counter(name: "bindings.dropped", value: 1), Counter(name: "received", value: 4)])
        #expect(counters["received"] == 4 && counters["reply.Offer"] == 0 && counters["no.such"] == 0)
    }

    @Test("The names are the ones the master reads", arguments: [true, false])
    func names(v6: Bool) {
        let names = Set(v6 ? V6PacketHandler.counterNames : V4PacketHandler.counterNames)
        #expect(names.count == (v6 ? V6PacketHandler.counterNames : V4PacketHandler.counterNames).count, "no duplicates")
        for common in ["received", "drop.Truncated", "drop.UnknownSource", "drop.SendFailed", "events.dropped",
                       "bindings.dropped"] {
            #expect(names.contains(common))
        }
        if v6 {
            #expect(names.isSuperset(of: DHCPv6MessageType.allCases.map { "reply." + $0.eventName }))
            #expect(names.isSuperset(of: DHCPv6NoReplyReason.allCases.map { "drop." + $0.rawValue }))
        } else {
            #expect(names.isSuperset(of: DHCPv4MessageType.allCases.map { "reply." + $0.name }))
            #expect(names.isSuperset(of: DHCPv4MessageType.allCases.map { "recorded." + $0.name }))
            #expect(names.isSuperset(of: DHCPv4NoReplyReason.allCases.map { "drop." + $0.rawValue }))
        }
    }

    @Test("A handled packet counts its reply or its drop by name")
    func handlerCounts() {
        var sink = WorkerSink(for: V4PacketHandler.self, logger: Logger(label: "test"), eventsEnabled: false)
        var reply = [UInt8](repeating: 0, count: 1500)
        for mac in [BindingRefreshTests.mac, MACAddress("02-00-5e-10-00-99")!] {
            var request = DHCPv4PacketBuilder(type: .request, mac: mac, giaddr: IPv4Address(127, 0, 0, 1))
            request.requestedAddress(IPv4Address("100.64.0.11")!)
            request.serverIdentifier(IPv4Address("203.0.113.1")!)
            request.relayAgentInformation(circuit: "eth1:100", remote: mac == BindingRefreshTests.mac ? "olt-7" : "other")
            _ = request.bytes.withUnsafeBytes { datagram in
                reply.withUnsafeMutableBytes { buffer in
                    BindingRefreshTests.handler.handle(datagram, from: .v4(IPv4Address(127, 0, 0, 1), port: 67),
                                                       snapshot: BindingRefreshTests.snapshot, bindings: BindingTable(), shares: .standalone,
                                                       reply: buffer, sink: &sink)
                }
            }
        }
        #expect(sink.counters.reported == [Counter(name: "drop.NoReservation", value: 1), Counter(name: "reply.Ack", value: 1)])
    }

    @Test("Configured options left out for size are counted as options.omitted_for_size")
    func omittedOptions() {
        var config = BindingRefreshTests.config
        config.optionsV4 = DHCPOptionSet(entries: (0..<4).map { .init(code: UInt16(224 + $0), payload: [UInt8](repeating: 1, count: 200)) })
        let handler = V4PacketHandler(config: config, ids: BindingRefreshTests.ids)
        var sink = WorkerSink(for: V4PacketHandler.self, logger: Logger(label: "test"), eventsEnabled: false)
        var reply = [UInt8](repeating: 0, count: 1500)
        var discover = DHCPv4PacketBuilder(type: .discover, mac: BindingRefreshTests.mac, giaddr: IPv4Address(127, 0, 0, 1))
        discover.relayAgentInformation(circuit: "eth1:100", remote: "olt-7")
        discover.add(55, [224, 225, 226, 227])
        _ = discover.bytes.withUnsafeBytes { datagram in
            reply.withUnsafeMutableBytes { buffer in
                handler.handle(datagram, from: .v4(IPv4Address(127, 0, 0, 1), port: 67), snapshot: BindingRefreshTests.snapshot,
                               bindings: BindingTable(), shares: .standalone, reply: buffer, sink: &sink)
            }
        }
        // 548 bytes: one 202-byte option fits after the fixed ones, three do not.
        #expect(sink.counters.reported == [Counter(name: WorkerCounterName.optionsOmittedForSize, value: 3),
                                           Counter(name: "reply.Offer", value: 1)])
    }
}
