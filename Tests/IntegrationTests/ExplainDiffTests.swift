import DHCPWireKit
import Foundation
import Glibc
import ShadowCore
import ShadowTesting
import Testing

/// `explain` and `diff` against the real master: `explain` must say what the workers did with the
/// same client (their log line and their counter), and `diff` must apply nothing.
@Suite(.needsRoot, .timeLimit(.minutes(1)))
struct ExplainDiffTests {
    static let unknownMAC = MACAddress("02-00-00-00-99-99")!
    static let unknownDUID = DUID("00:03:00:01:02:00:00:00:99:99")!

    /// The response of `shadowctl ARGUMENTS --socket PATH`, and its exit status.
    static func shadowctl(_ socket: String, _ arguments: [String]) throws -> ManagementAuthTests.Run {
        ManagementAuthTests.run(try BuildProducts.executable("shadowctl"), arguments + ["--socket", socket])
    }

    /// A counter of `stats`: `"v4"`'s drops, e.g. `"NoReservation":3` → 3 (0 when absent).
    static func drops(_ stats: String, _ proto: String, _ reason: String) -> Int {
        guard let json = try? JSONSerialization.jsonObject(with: Data(stats.utf8)) as? [String: Any],
              let p = json[proto] as? [String: Any], let drops = p["drops"] as? [String: Any] else { return -1 }
        return drops[reason] as? Int ?? 0
    }

    @Test func explainAgreesWithTheWorkersAndDiffAppliesNothing() async throws {
        let directory = try ServerDirectory(reservations: Fixtures.reservations) { config in
            config.extra = [#""mgmt_socket": "\#(config.stateDir.dropLast("/state".count))/mgmt.sock""#]
        }
        let socket = directory.file("mgmt.sock")
        let relay4 = try RelayV4(server: directory.v4Server)
        let relay6 = try RelayV6(server: directory.v6Server)
        try await withMaster(directory) { master in
            _ = try await master.waitUntilServing()

            // Served over DHCPv4: the worker offers, explain says Offer with the same address and method.
            let offer = try relay4.exchange(.discover(mac: Fixtures.macSubscriberMAC, xid: Fixtures.xid()))
            #expect(offer?.yiaddr == IPv4Address("198.51.100.10"))
            let offered = try await master.waitForLine("v4 offer logged") {
                $0.message == "DHCPv4 lease offered" && $0["mac"] == "00-11-22-33-44-55"
            }
            let served = try ManagementTests.request(socket, #"{"command":"explain","mac":"00:11:22:33:44:55"}"#)
            print("explain served: \(served)")
            #expect(served.contains(#""reply":"Offer","no_reply_reason":null,"match":{"entry":0,"method":"\#(offered.line["method"] ?? "?")""#), "\(served)")
            #expect(served.contains(#""effective":{"ipv4":"198.51.100.10""#), "\(served)")

            // Refused over DHCPv4: no reply, the worker's line and counter say NoReservation, and so does explain.
            let before = try ManagementTests.request(socket, #"{"command":"stats"}"#)
            #expect(try relay4.exchange(.discover(mac: Self.unknownMAC, xid: Fixtures.xid()), timeout: .milliseconds(500)) == nil)
            _ = try await master.waitForLine("v4 refusal logged") {
                $0.message == "DHCPv4: no reservation found — not responding" && $0["mac"] == "02-00-00-00-99-99"
            }
            let counted = try await eventually(timeout: .seconds(5), "NoReservation counted") {
                let after = try ManagementTests.request(socket, #"{"command":"stats"}"#)
                return Self.drops(after, "v4", "NoReservation") == Self.drops(before, "v4", "NoReservation") + 1 ? after : nil
            }
            #expect(Self.drops(counted, "v4", "NoReservation") >= 1)
            let refused = try Self.shadowctl(socket, ["explain", "--mac", "02:00:00:00:99:99", "--json"])
            print("explain refused: \(refused.stdout)")
            #expect(refused.status == 0)
            #expect(refused.stdout.contains(#""message":"DHCPv4: no reply (NoReservation)""#), "\(refused)")
            #expect(refused.stdout.contains(#""no_reply_reason":"NoReservation""#), "\(refused)")
            let refusedReadable = try Self.shadowctl(socket, ["explain", "--mac", "02:00:00:00:99:99"])
            print("explain refused (shadowctl):\n\(refusedReadable.stdout)")
            #expect(refusedReadable.stdout.contains("walk:\n  chaddr: 02-00-00-00-99-99: not in the index\n"))

            // The Option 82 subscriber: the worker offers through circuit_and_remote; explain walks there.
            let viaRelay = try relay4.exchange(.discover(mac: Fixtures.relaySubscriberMAC, xid: Fixtures.xid(),
                                                         option82: Fixtures.relayKey))
            #expect(viaRelay?.yiaddr == IPv4Address("100.64.0.11"))
            let readable = try Self.shadowctl(socket, ["explain", "--mac", "02:00:5e:10:00:11",
                                                       "--option82-circuit", "eth1:100", "--option82-remote", "olt-7"])
            print("explain option82 (shadowctl):\n\(readable.stdout)")
            #expect(readable.status == 0 && readable.stdout.hasPrefix("DHCPv4: OFFER with entry 1 (option82 via "), "\(readable)")

            // DHCPv6: served by DUID; refused for an unknown DUID, with the worker's reason.
            let advertise = try relay6.exchange(DHCPv6Packet.solicit(duid: Fixtures.macSubscriberDUID, xid: Fixtures.xid()))
            #expect(advertise?.iaNAAddresses == [IPv6Address("2001:db8:1::10")!])
            let v6Served = try ManagementTests.request(socket, #"{"command":"explain","duid":"00:03:00:01:00:11:22:33:44:55"}"#)
            #expect(v6Served.contains(#""reply":"Advertise""#) && v6Served.contains(#""ipv6_na":"2001:db8:1::10""#), "\(v6Served)")
            #expect(try relay6.exchange(DHCPv6Packet.solicit(duid: Self.unknownDUID, xid: Fixtures.xid()),
                                        timeout: .milliseconds(500)) == nil)
            _ = try await master.waitForLine("v6 refusal logged") {
                $0.message == "DHCPv6: no reservation found — not responding" && $0["duid"] == Self.unknownDUID.description
            }
            let v6Refused = try ManagementTests.request(socket, #"{"command":"explain","duid":"\#(Self.unknownDUID)"}"#)
            print("explain v6 refused: \(v6Refused)")
            #expect(v6Refused.contains(#""no_reply_reason":"NoReservation""#), "\(v6Refused)")

            // The MAC subscriber is then served (REQUEST → ACK): diff counts it among the changed
            // entries served within their lease time.
            let ack = try relay4.exchange(.request(mac: Fixtures.macSubscriberMAC, xid: Fixtures.xid(),
                                                   address: IPv4Address("198.51.100.10")!, server: Fixtures.serverIDv4))
            #expect(ack?.messageType == DHCPv4Reply.ack)

            // diff: counts and fields, nothing applied (file, generation and answers unchanged).
            let file = directory.file("reservations.json")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            let newSet = directory.file("new.json")
            try Data(#"""
                [{"ipv4": "198.51.100.20", "ipv6_na": "2001:db8:1::10", "ipv6_pd": "2001:db8:100::/56",
                  "mac": "00-11-22-33-44-55", "duid": "00:03:00:01:00:11:22:33:44:55"},
                 {"ipv4": "198.51.100.30", "ipv6_na": "2001:db8:1::30", "ipv6_pd": "2001:db8:300::/56", "mac": "02-00-00-00-00-30"}]
                """#.utf8).write(to: URL(fileURLWithPath: newSet))
            let diff = try Self.shadowctl(socket, ["diff", newSet, "--json"])
            print("diff: \(diff.stdout)")
            #expect(diff.status == 0)
            #expect(diff.stdout.contains(#""message":"Diff against generation 1: 1 added, 1 removed, 1 changed, 0 unchanged, 0 addresses moved""#), "\(diff)")
            #expect(diff.stdout.contains(#""fields":{"ipv4":{"from":"198.51.100.10","to":"198.51.100.20"}}"#), "\(diff)")
            #expect(diff.stdout.contains(#""served_recently":1"#), "\(diff)")
            let dryRun = try Self.shadowctl(socket, ["replace", "--dry-run", newSet, "--json"])
            #expect(dryRun.status == 0 && dryRun.stdout == diff.stdout, "\(dryRun)")
            let readableDiff = try Self.shadowctl(socket, ["diff", newSet])
            print("diff (shadowctl):\n\(readableDiff.stdout)")
            try Data(#"[{"ipv4": "198.51.100.20", "ipv6_na": "2001:db8:1::10", "ipv6_pd": "2001:db8:100::/56", "mac": "00-11"}]"#.utf8)
                .write(to: URL(fileURLWithPath: newSet))
            let invalid = try Self.shadowctl(socket, ["diff", newSet])
            print("diff invalid (shadowctl): \(invalid.stderr)")
            #expect(invalid.status == 1 && invalid.stderr.contains("replace.reservations[0].mac: invalid MAC address"), "\(invalid)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == bytes)
            #expect(try ManagementTests.request(socket, #"{"command":"status"}"#).contains(#""snapshot_generation":1,"#))
            #expect(try relay4.exchange(.discover(mac: Fixtures.macSubscriberMAC, xid: Fixtures.xid()))?.yiaddr
                    == IPv4Address("198.51.100.10"))
        }
    }
}
