import CBuildInfo

/// The version of shadowdhcp and the commit it was built from.
///
/// `version` is the one place the release version is written: `shadow-master --version` prints it,
/// the management command `version` returns it, and scripts/package names the Debian package
/// after it (read from the built binary, never typed a second time).
public enum BuildInfo {
    public static let version = "0.1.0"

    /// The git commit given at build time through the environment variable `SHADOW_GIT_COMMIT`
    /// (scripts/package and scripts/install pass `git rev-parse --short=12 HEAD`, with `-dirty`
    /// when the checkout has uncommitted changes); nil for a plain `swift build`.
    public static let commit: String? = cbuildinfo_git_commit().map { String(cString: $0) }

    /// What `--version` prints: the version on the first line, then `commit <id>` when known.
    public static var versionText: String {
        commit.map { "\(version)\ncommit \($0)" } ?? version
    }
}
