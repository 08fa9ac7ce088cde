import Foundation
import Testing

/// The service files in contrib/ are what operators install: check them with the tools that read them.
@Suite("Service files")
struct ServiceFileTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let analyzer = "/usr/bin/systemd-analyze"

    /// The build directory holding shadow-master (the test bundle sits in it).
    static var buildDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: analyzer)))
    func systemdUnitVerifies() throws {
        let unit = try String(contentsOf: Self.repository.appending(path: "contrib/systemd/shadowdhcp.service"),
                              encoding: .utf8)
        let master = Self.buildDirectory.appending(path: "shadow-master").path
        #expect(FileManager.default.isExecutableFile(atPath: master))
        let dir = FileManager.default.temporaryDirectory.appending(path: "unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appending(path: "shadowdhcp.service")
        try unit.replacingOccurrences(of: "/usr/local/sbin/shadow-master", with: master)
            .write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.analyzer)
        process.arguments = ["verify", file.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = errors
        try process.run()
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.isEmpty, "\(output)")
    }

    @Test func unitReloadsWithSIGHUPAndStopsOnlyTheMaster() throws {
        let unit = try String(contentsOf: Self.repository.appending(path: "contrib/systemd/shadowdhcp.service"),
                              encoding: .utf8)
        #expect(unit.contains("ExecReload=/bin/kill -HUP $MAINPID"))
        #expect(unit.contains("KillMode=mixed"))
        #expect(!unit.contains("NoNewPrivileges=yes"))
        let openrc = try String(contentsOf: Self.repository.appending(path: "contrib/openrc/shadowdhcp"),
                                encoding: .utf8)
        #expect(openrc.contains("supervisor=\"supervise-daemon\""))
        #expect(openrc.contains("--signal HUP"))
    }
}
