import ArgumentParser
import ShadowCore
import ShadowOperations

/// `shadowctl token new NAME ROLE`: makes a management token.
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage management tokens.", subcommands: [New.self])

    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new token and print it once, with its tokens.json entry.",
            discussion: """
                The token is 32 random bytes from the system's CSPRNG, as 64 hex digits. Only its SHA-256 \\
                goes into tokens.json (add the printed entry to its "tokens" array, keep the file mode \\
                0600 and restart shadow-master); the token itself is shown only now. Give it to the \\
                client in a file of mode 0600 (shadowctl --token-file).
                """)
        @Argument(help: "A name for the token, shown in the audit log (e.g. billing).") var name: String
        @Argument(help: "read or admin.") var role: String

        func validate() throws {
            if name.isEmpty { throw ValidationError("NAME must not be empty") }
            if ManagementRole(rawValue: role) == nil { throw ValidationError("ROLE must be read or admin, got \(role)") }
        }

        func run() async throws {
            let token = TokenDigest.newToken()
            print("token: \(token)")
            print("tokens.json entry: \(TokenDigest.entryJSON(name: name, role: ManagementRole(rawValue: role)!, token: token))")
        }
    }
}
