import Foundation
import ShadowCore
import Testing
@testable import ShadowOperations

/// `shadowctl` end to end: the built binary (next to the test bundle) against a test server.
@Suite struct ShadowctlTests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `shadowctl` executable in the same build directory as this test bundle.
    static var executable: String {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent("shadowctl").path
    }

    /// Runs shadowctl (or `program`) on a thread of its own and collects its output.
    static func run(_ arguments: [String], program: String = executable) async -> Run {
        await withCheckedContinuation { continuation in
            Thread {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: program)
                p.arguments = arguments
                let out = Pipe(), err = Pipe()
                p.standardOutput = out
                p.standardError = err
                do { try p.run() } catch {
                    continuation.resume(returning: Run(status: -1, stdout: "", stderr: "\(error)"))
                    return
                }
                let o = out.fileHandleForReading.readDataToEndOfFile()
                let e = err.fileHandleForReading.readDataToEndOfFile()
                p.waitUntilExit()
                continuation.resume(returning: Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                                                   stderr: String(decoding: e, as: UTF8.self)))
            }.start()
        }
    }

    func tcp(_ s: TestServer) -> [String] { ["--address", "127.0.0.1:\(s.port)"] }

    @Test func statusReadableAndRaw() async throws {
        try await withServer { s in
            let readable = await Self.run(["status"] + tcp(s))
            #expect(readable.status == 0)
            #expect(readable.stdout == """
                Status OK
                reservations: 4
                index keys: 6 (reservation_count: each MAC, DUID… a reservation is found by)
                snapshot_generation: 1
                snapshot_digest: 0000000000000000

                """)
            let raw = await Self.run(["status", "--json"] + tcp(s))
            #expect(raw.stdout == #"{"success":true,"message":"Status OK","reservation_count":6,"snapshot_generation":1,"snapshot_digest":"0000000000000000","reservations":4,"index_keys":6}"# + "\n")
        }
    }

    @Test func everyOtherCommandOverTheSocket() async throws {
        try await withServer(unixSocket: true) { s in
            let socket = ["--socket", s.socketPath]
            for command in [["reload"], ["workers"], ["stats"], ["bindings"], ["bindings", "--mac", "00-11-22-33-44-55"],
                            ["version"], ["lookup", "--duid", "00:03:00:01:00:11:22:33:44:66"],
                            ["lookup", "--option82-remote", "AA-BB-CC-DD-EE-FF"],
                            ["lookup", "--interface-id", "ge-0/0/1.100", "--remote-id", "sub-13", "--enterprise", "4874"]] {
                let r = await Self.run(command + socket + ["--json"])
                #expect(r.status == 0, "\(command): \(r.stderr)")
                #expect(r.stdout.hasPrefix(#"{"success":true"#), "\(command)")
            }
            #expect(s.backend.reloadCallCount == 1)
        }
    }

    @Test func reservationSubcommands() async throws {
        try await withServer { s in
            let json = #"{"ipv4": "198.51.100.20", "ipv6_na": "2001:db8:1::20",\#n "ipv6_pd": "2001:db8:120::/56", "mac": "02:00:00:00:00:20"}"#
            let added = await Self.run(["reservation", "add", json, "--json"] + tcp(s))
            #expect(added.status == 0 && added.stdout.hasPrefix(#"{"success":true,"message":"Added 1 reservation""#), "\(added)")
            let got = await Self.run(["reservation", "get", "--ipv4", "198.51.100.20", "--json"] + tcp(s))
            #expect(got.stdout.contains(#""reservation":{"ipv4":"198.51.100.20""#), "\(got)")
            let updated = await Self.run(["reservation", "update", "--mac", "02-00-00-00-00-20",
                                          json.replacingOccurrences(of: "02:00:00:00:00:20", with: "02:00:00:00:00:21"), "--json"] + tcp(s))
            #expect(updated.stdout.hasPrefix(#"{"success":true,"message":"Updated 1 reservation""#), "\(updated)")
            let list = await Self.run(["reservations", "list", "--from", "4", "--limit", "1", "--json"] + tcp(s))
            #expect(list.stdout.contains(#""mac":"02-00-00-00-00-21""#) && list.stdout.contains(#""next":null"#), "\(list)")
            let deleted = await Self.run(["reservation", "delete", "--mac", "02-00-00-00-00-21"] + tcp(s))
            #expect(deleted.status == 0 && deleted.stdout.hasPrefix("Deleted 1 reservation\n"), "\(deleted)")
            let again = await Self.run(["reservation", "delete", "--mac", "02-00-00-00-00-21"] + tcp(s))
            #expect(again.status == 1 && again.stderr.contains("reservation-delete.mac: no reservation has 02-00-00-00-00-21"), "\(again)")
            let usage = await Self.run(["reservation", "delete", "--mac", "x", "--ipv4", "1.2.3.4"] + tcp(s))
            #expect(usage.status == 64)
        }
    }

    @Test func lookupReadable() async throws {
        try await withServer { s in
            let r = await Self.run(["lookup", "--mac", "00:11:22:33:44:55"] + tcp(s))
            #expect(r.status == 0)
            #expect(r.stdout.hasPrefix("Reservation found\n"))
            #expect(r.stdout.contains("v4:\n  method: mac\n  extractor: chaddr\n  reservation:\n    ipv4: 198.51.100.10\n"))
        }
    }

    /// Issue 18: a large replace shows its upload progress on a terminal, and not when piped.
    @Test func replaceProgressOnlyOnATerminal() async throws {
        try await withServer { s in
            let big = s.directory + "/big.json"
            // 3 MiB: whitespace in an otherwise empty reservations array.
            try ("[" + String(repeating: " ", count: 3 << 20) + "]").write(toFile: big, atomically: true, encoding: .utf8)
            let piped = await Self.run(["replace", big, "--no-local-check"] + tcp(s))
            #expect(piped.status == 0 || piped.status == 1, "\(piped)")
            #expect(!piped.stderr.contains("sending"), "\(piped.stderr)")
            // script(1) runs shadowctl on a pseudo-terminal; its output is what the terminal showed.
            let command = ([Self.executable, "replace", big, "--no-local-check"] + tcp(s)).joined(separator: " ")
            let tty = await Self.run(["-qec", command, "/dev/null"], program: "/usr/bin/script")
            #expect(tty.stdout.contains("shadowctl: sending \(big): 33% ("), "\(tty.stdout.suffix(500))")
            #expect(tty.stdout.contains("shadowctl: sending \(big): 100% (3.1 of 3.1 MB), waiting for the server"),
                    "\(tty.stdout.suffix(500))")
            #expect(tty.stdout.contains("\r\u{1B}[K"), "the progress line is cleared")
        }
    }

    @Test func replaceValidatesLocallyFirst() async throws {
        try await withServer { s in
            let config = s.directory + "/config.json"
            try #"{"dns_v4":["192.0.2.53"],"dns_v6":["2001:db8::53"],"subnets_v4":[{"net":"198.51.100.0/24","gateway":"198.51.100.1"}]}"#
                .write(toFile: config, atomically: true, encoding: .utf8)
            let good = s.directory + "/good.json"
            try Fixtures.reservationsJSON.replacingOccurrences(of: "},", with: "},\n  ")
                .write(toFile: good, atomically: true, encoding: .utf8)
            let ok = await Self.run(["replace", good, "--config", config] + tcp(s))
            #expect(ok.status == 0, "\(ok.stderr)")
            #expect(ok.stdout.hasPrefix("Replaced with 4 reservations\n"))
            #expect(s.backend.replaceCallCount == 1)

            let bad = s.directory + "/bad.json"
            try #"[{"ipv4":"10.0.0.1","ipv6_na":"2001:db8::1","ipv6_pd":"2001:db8::/56","mac":"zz"}]"#
                .write(toFile: bad, atomically: true, encoding: .utf8)
            let refused = await Self.run(["replace", bad, "--configdir", s.directory] + tcp(s))
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("\(bad)[0].ipv4"))
            #expect(refused.stderr.contains("\(bad)[0].mac"))
            #expect(s.backend.replaceCallCount == 1)

            // Unchecked: the server refuses it with every error, exit status 1.
            let unchecked = await Self.run(["replace", bad, "--no-local-check"] + tcp(s))
            #expect(unchecked.status == 1)
            #expect(unchecked.stderr.hasPrefix("error: Invalid request: replace.reservations[0]"))
            #expect(s.backend.replaceCallCount == 1)

            let usage = await Self.run(["replace", good] + tcp(s))
            #expect(usage.status == 64)
        }
    }

    @Test func failureAndNoServer() async throws {
        let backend = FakeBackend()
        backend.state.withLock { $0.reloadResult = .failure(ManagementFailure(error: "Failed to open /x: gone")) }
        var port = 0
        try await withServer(backend: backend) { s in
            port = s.port
            let r = await Self.run(["reload"] + tcp(s))
            #expect(r.status == 1)
            #expect(r.stderr == "error: Failed to open /x: gone\n")
        }
        let down = await Self.run(["status", "--address", "127.0.0.1:\(port)"])
        #expect(down.status == 3)
        #expect(down.stderr.hasPrefix("shadowctl: cannot connect to 127.0.0.1:\(port)"))
    }
}
