import Glibc
import ShadowCore
import ShadowTesting
import Testing

/// SIGTERM: exit 0 within 2 s with the learned bindings on disk; a new master on the same state
/// directory correlates DHCPv6 with them before any DHCPv4 traffic.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct ShutdownTests {
    @Test func sigtermPersistsBindingsAndRestartUsesThem() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations)
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)

        let first = try MasterProcess(directory)
        do {
            let (v4, v6) = try await first.waitUntilServing()
            try Scenarios.learnRelayBinding(relay4, master: first)
            // The master has it once the v6 worker answers with it.
            _ = try await Scenarios.solicitRelaySubscriberUntilAnswered(relay6, carrier: .option79)

            try first.send(SIGTERM)
            let status = try await first.waitForExit(timeout: .seconds(2))
            #expect(status == .exited(0), "shadow-master did not exit 0 within 2 s\n\(first.output.tail())")
            #expect(!ProcFS.isRunning(v4.pid) && !ProcFS.isRunning(v6.pid), "a worker outlived the master")
        } catch {
            await first.stop()
            throw error
        }
        await first.stop()

        let saved = try #require(Files.read(directory.bindingsFile), "no \(directory.bindingsFile)")
        guard case .array(let entries) = try JSONValue.parse(saved) else {
            Issue.record("bindings.json is not an array: \(String(decoding: saved, as: UTF8.self))")
            return
        }
        let entry = try #require(entries.first {
            if case .string(let mac)? = $0["mac"] { return MACAddress(mac) == Fixtures.relaySubscriberMAC }
            return false
        }, "the learned binding is not in bindings.json: \(String(decoding: saved, as: UTF8.self))")
        #expect(entry["option82"]?["circuit"] == .string("eth1:100"))
        #expect(entry["option82"]?["remote"] == .string("olt-7"))
        #expect(entry["option82"]?["subscriber"] == nil || entry["option82"]?["subscriber"] == .null)

        // A new master, same state directory, no DHCPv4 traffic at all.
        try await withMaster(directory) { second in
            _ = try await second.waitUntilServing()
            #expect(second.lines.contains { $0.message == "loaded learned bindings" && $0["count"] == "1" })
            let advertise = try #require(try Scenarios.solicitRelaySubscriber(relay6, carrier: .option79),
                                         "the restarted server does not know the binding\n\(second.output.tail())")
            Scenarios.expectRelaySubscriberLeases(advertise)
        }
    }
}
