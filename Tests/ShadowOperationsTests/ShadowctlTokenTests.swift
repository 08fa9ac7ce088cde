import Foundation
import ShadowCore
import Testing
@testable import ShadowOperations

/// `shadowctl token new`, `--token-file` and where a token may be sent.
@Suite struct ShadowctlTokenTests {
    @Test func tokenNewPrintsATokenAndAnEntryThatLoads() async throws {
        let run = await ShadowctlTests.run(["token", "new", "billing", "admin"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 2 && lines[0].hasPrefix("token: ") && lines[1].hasPrefix("tokens.json entry: "))
        let token = String(lines[0].dropFirst("token: ".count))
        let entry = String(lines[1].dropFirst("tokens.json entry: ".count))
        let table = try ConfigurationLoader.loadTokens(Array(#"{"tokens": [\#(entry)]}"#.utf8))
        #expect(token.count == 64 && TokenDigest.match(token, in: table)?.name == "billing")
        #expect(await ShadowctlTests.run(["token", "new", "x", "root"]).status == 64)
    }

    @Test func tokenFileIsSentAndDecides() async throws {
        let auth = ManagementAuthorization(tokens: AuthTests.tokens)
        try await withServer(authorization: auth) { s in
            let file = s.directory + "/token"
            try (AuthTests.adminToken + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            let address = ["--address", "127.0.0.1:\(s.port)"]
            let without = await ShadowctlTests.run(["reload"] + address)
            #expect(without.status == 1 && without.stderr.contains("authentication required"), "\(without.stderr)")
            let with = await ShadowctlTests.run(["reload", "--token-file", file] + address)
            #expect(with.status == 0, "\(with.stderr)")
            #expect(s.backend.reloadCallCount == 1)
        }
    }

    @Test func noTokenOverPlainTCPToARemoteAddress() async throws {
        let file = TempDirectory.make() + "/token"
        try AuthTests.adminToken.write(toFile: file, atomically: true, encoding: .utf8)
        let run = await ShadowctlTests.run(["status", "--address", "192.0.2.1:8547", "--token-file", file])
        #expect(run.status == 64 && run.stderr.contains("refusing to send a token over plain TCP to 192.0.2.1:8547"),
                "\(run.stderr)")
    }

    @Test func addingTokenPutsItFirst() {
        #expect(String(decoding: ManagementClient.addingToken("t0123456789abcdef", to: Array(#"{"command":"status"}"#.utf8)),
                       as: UTF8.self) == #"{"token":"t0123456789abcdef","command":"status"}"#)
        #expect(String(decoding: ManagementClient.addingToken("t0123456789abcdef", to: Array("{}".utf8)), as: UTF8.self)
                == #"{"token":"t0123456789abcdef"}"#)
    }
}
