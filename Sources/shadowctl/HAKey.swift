import ArgumentParser
import ShadowCore
import ShadowOperations
import ShadowSystem

/// `shadowctl ha-key new FILE`: writes a new HA shared key (docs/high-availability.md).
struct HAKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ha-key", abstract: "Manage the HA shared key.", subcommands: [New.self])

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a new HA shared key to FILE (mode 0600).",
            discussion: """
                32 random bytes from the system's CSPRNG, written as 64 hex digits and nothing else (the \\
                file's whole content is the key). Copy the same file to every server's ha.key_file. An \\
                existing FILE is never overwritten.
                """)
        @Argument(help: "Where to write the key, e.g. /etc/shadowdhcp/ha.key.") var file: String

        func run() throws {
            guard !FileSystem.exists(file) else {
                printError("shadowctl: \(file) exists; not overwriting a key (remove it first to make a new one)")
                throw ExitCode(1)
            }
            do {
                try AtomicFile.write(Array(TokenDigest.newToken().utf8), to: file, permissions: 0o600)
            } catch {
                printError("shadowctl: cannot write \(file): \(error)")
                throw ExitCode(1)
            }
            print("wrote a new HA key to \(file) (mode 0600); copy it to every server's ha.key_file")
        }
    }
}
