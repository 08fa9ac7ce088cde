import Testing
import ShadowMaster

/// Where the master looks for shadow-v4, shadow-v6 and shadow-ops: the package's libexec directory
/// first, its own directory (a build tree, scripts/install) second.
@Suite("Helper directory")
struct HelperDirectoryTests {
    static let helpers = ["shadow-v4", "shadow-v6", "shadow-ops"]

    static func files(in dir: String, _ names: [String] = helpers) -> Set<String> {
        Set(names.map { dir + "/" + $0 })
    }

    @Test func installedMasterUsesLibexec() {
        let present = Self.files(in: "/usr/libexec/shadowdhcp")
        #expect(HelperDirectory.candidates(masterDirectory: "/usr/sbin") == ["/usr/libexec/shadowdhcp", "/usr/sbin"])
        #expect(HelperDirectory.find(masterDirectory: "/usr/sbin", helpers: Self.helpers,
                                     exists: present.contains) == "/usr/libexec/shadowdhcp")
    }

    @Test func buildTreeUsesTheMastersOwnDirectory() {
        let dir = "/work/shadowdhcp/.build/x86_64-unknown-linux-gnu/debug"
        #expect(HelperDirectory.find(masterDirectory: dir, helpers: Self.helpers,
                                     exists: Self.files(in: dir).contains) == dir)
    }

    @Test func anyPrefixAndTrailingSlashes() {
        #expect(HelperDirectory.candidates(masterDirectory: "/opt/shadow/sbin/")
                == ["/opt/shadow/libexec/shadowdhcp", "/opt/shadow/sbin"])
        #expect(HelperDirectory.candidates(masterDirectory: "/sbin") == ["/libexec/shadowdhcp", "/sbin"])
        #expect(HelperDirectory.candidates(masterDirectory: "/") == ["/libexec/shadowdhcp", "/"])
    }

    /// A libexec directory missing one helper is not used half: the master's own directory wins
    /// when it is complete, and nothing is found when neither is.
    @Test func incompleteDirectoriesAreSkipped() {
        let partial = Self.files(in: "/usr/libexec/shadowdhcp", ["shadow-v4", "shadow-v6"])
        #expect(HelperDirectory.find(masterDirectory: "/usr/sbin", helpers: Self.helpers,
                                     exists: partial.union(Self.files(in: "/usr/sbin")).contains) == "/usr/sbin")
        #expect(HelperDirectory.find(masterDirectory: "/usr/sbin", helpers: Self.helpers,
                                     exists: partial.contains) == nil)
    }
}
