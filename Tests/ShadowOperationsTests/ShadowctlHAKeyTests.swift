import Foundation
import Testing

/// `shadowctl ha-key new FILE` (docs/high-availability.md).
@Suite struct ShadowctlHAKeyTests {
    @Test func writesAHexKeyOfMode0600AndNeverOverwrites() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("shadowctl-ha-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/ha.key"
        let run = await ShadowctlTests.run(["ha-key", "new", file])
        #expect(run.status == 0, "\(run.stderr)")
        let key = try String(contentsOfFile: file, encoding: .utf8)
        #expect(key.count == 64 && key.allSatisfy(\.isHexDigit), "\(key)")
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let again = await ShadowctlTests.run(["ha-key", "new", file])
        #expect(again.status == 1 && again.stderr.contains("not overwriting"), "\(again.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == key)
    }
}
