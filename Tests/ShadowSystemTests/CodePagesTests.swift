import Foundation
import ShadowSystem
import Testing

/// `CodePages.releaseResident()`: the code and constants this process mapped leave its resident
/// set, and everything still runs (the pages come back on use).
@Suite("Code pages")
struct CodePagesTests {
    /// `RssFile` of /proc/self/status in KiB: the resident pages mapped from files.
    static func residentFileKiB() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("RssFile:") })
        return try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    }

    @Test func releasingDropsFilePagesFromTheResidentSetAndTheCodeStillRuns() throws {
        let before = try Self.residentFileKiB()
        let advised = CodePages.releaseResident()
        let after = try Self.residentFileKiB()
        // The test runner maps tens of megabytes of code; most of it was resident and is not now.
        #expect(advised > 16 << 20)
        #expect(after < before / 2, "RssFile \(before) KiB before, \(after) KiB after")
        // Code and constants come back on use: a sort, a string, a JSON round trip.
        let sorted = [3, 1, 2].sorted()
        #expect(sorted == [1, 2, 3])
        #expect("\(sorted)" == "[1, 2, 3]")
        let data = try JSONEncoder().encode(["a": 1])
        #expect(try JSONDecoder().decode([String: Int].self, from: data) == ["a": 1])
        // And again: releasing twice is harmless.
        #expect(CodePages.releaseResident() > 0)
    }
}
