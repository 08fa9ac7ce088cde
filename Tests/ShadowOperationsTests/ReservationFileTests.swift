import Foundation
import Testing
@testable import ShadowOperations

@Suite struct ReservationFileTests {
    @Test func writesAtomicallyAndReportsFailures() throws {
        let dir = TempDirectory.make()
        defer { TempDirectory.remove(dir) }
        let path = dir + "/reservations.json"
        try ReservationFile.writeAtomically(Array("[]\n".utf8), to: path)
        #expect(FileManager.default.contents(atPath: path) == Data("[]\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
        #expect(throws: ManagementFailure(error: "Failed to write reservations: open \(dir)/missing/reservations.json.tmp: No such file or directory")) {
            try ReservationFile.writeAtomically([], to: dir + "/missing/reservations.json")
        }
    }
}
