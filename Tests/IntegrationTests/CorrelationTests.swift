import Glibc
import ShadowTesting
import Testing

/// A DHCPv4 ACK in one process teaches the DHCPv6 lookup in the other (through the master).
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct CorrelationTests {
    @Test(arguments: Scenarios.MACCarrier.allCases)
    func bindingLearnedByV4ServesV6(_ carrier: Scenarios.MACCarrier) async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations)
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            // Before any DHCPv4 traffic the v6 worker cannot know this client: silence.
            #expect(try Scenarios.solicitRelaySubscriber(relay6, carrier: carrier, timeout: .milliseconds(500)) == nil)

            try Scenarios.learnRelayBinding(relay4, master: master)
            let advertise = try await Scenarios.solicitRelaySubscriberUntilAnswered(relay6, carrier: carrier)
            Scenarios.expectRelaySubscriberLeases(advertise)
        }
    }
}

/// A restarted v6 worker gets the whole binding table from the master before it serves.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct CorrelationAcrossRestartTests {
    @Test func restartedV6WorkerStillKnowsLearnedBindings() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations)
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            let v6 = try await master.waitForWorker("v6")
            try Scenarios.learnRelayBinding(relay4, master: master)
            _ = try await Scenarios.solicitRelaySubscriberUntilAnswered(relay6, carrier: .option79)

            #expect(kill(v6.pid, SIGKILL) == 0)
            let replacement = try await master.waitForWorker("v6", newerThan: v6.generation)
            #expect(replacement.pid != v6.pid)
            let advertise = try await Scenarios.solicitRelaySubscriberUntilAnswered(relay6, carrier: .eui64PeerAddress)
            Scenarios.expectRelaySubscriberLeases(advertise)
        }
    }
}
