import Glibc
import ShadowTesting
import Testing

/// Persistence problems never stop DHCP service (docs/operations.md, "State").
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct StateDirectoryTests {
    @Test func corruptStateFileIsSetAsideAndServiceStarts() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations)
        #expect(mkdir(directory.config.stateDir, 0o750) == 0)
        try Files.write("[{\"mac\": \"not a mac\"", to: directory.bindingsFile)
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            #expect(master.lines.contains { $0.level == "ERROR" && $0.message.hasPrefix("ignoring unreadable binding state") })
            let names = Files.list(directory.config.stateDir)
            #expect(names.contains { $0.hasPrefix("bindings.json.corrupt-") }, "\(names)")
            #expect(!names.contains("bindings.json"))

            try Scenarios.learnRelayBinding(relay4, master: master)
            _ = try await Scenarios.solicitRelaySubscriberUntilAnswered(relay6, carrier: .option79)
            try master.send(SIGTERM)
            #expect(try await master.waitForExit(timeout: .seconds(5)) == .exited(0))
        }
        #expect(Files.readText(directory.bindingsFile)?.contains("olt-7") == true, "a fresh bindings.json is written")
    }

    @Test func unusableStateDirectoryIsReportedAndServiceGoesOn() async throws {
        // state_dir below a regular file: it can be neither created nor written.
        let directory = try ServerDirectory(reservations: Fixtures.reservations) { config in
            config.stateDir = "/dev/null/shadowdhcp-state"
        }
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            #expect(master.lines.contains { $0.level == "ERROR" && $0.message.contains("cannot create state_dir") })
            try Scenarios.learnRelayBinding(relay4, master: master)
            let advertise = try await Scenarios.solicitRelaySubscriberUntilAnswered(relay6, carrier: .option79)
            Scenarios.expectRelaySubscriberLeases(advertise)
            try master.send(SIGTERM)
            #expect(try await master.waitForExit(timeout: .seconds(5)) == .exited(0), "\(master.output.tail())")
        }
    }

    @Test func aStateDirectoryOthersCanWriteIsNeitherReadNorWritten() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations)
        #expect(mkdir(directory.config.stateDir, 0o750) == 0)
        #expect(chmod(directory.config.stateDir, 0o777) == 0)
        // A planted file is not read.
        try Files.write(#"[{"mac":"02-00-00-00-00-99","option82":{"circuit":"planted"},"last_seen":1}]"#,
                        to: directory.bindingsFile)
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()
            #expect(master.lines.contains { $0.level == "ERROR" && $0.message.contains("refusing state_dir") })
            #expect(!master.lines.contains { $0.message == "loaded learned bindings" })
            try Scenarios.learnRelayBinding(relay4, master: master)
            _ = try await Scenarios.solicitRelaySubscriberUntilAnswered(relay6, carrier: .option79)
            try master.send(SIGTERM)
            #expect(try await master.waitForExit(timeout: .seconds(5)) == .exited(0), "\(master.output.tail())")
        }
        // Nor written: the planted file is as it was.
        let after = try #require(Files.read(directory.bindingsFile))
        #expect(String(decoding: after, as: UTF8.self).contains("planted"))
    }
}
