import ShadowCore

/// Which role each management command needs (docs/management.md, "Who may do what").
public enum CommandPermissions {
    /// Commands that only read. Includes the read-only commands of other issues, so their
    /// permission is decided here, in one table.
    public static let readCommands: Set<String> = [
        "status", "stats", "lookup", "workers", "bindings", "version",
        "peers", "explain", "diff", "online", "reservation-get", "reservations-list",
    ]
    /// Commands that change state.
    public static let adminCommands: Set<String> = [
        "reload", "replace", "reservation-add", "reservation-update", "reservation-delete",
        "reservation-changes",
    ]

    /// Commands whose request may be larger than the large-request threshold (they carry a whole
    /// reservation set): the changes, and `diff`, the dry run of `replace`.
    public static let largeCommands: Set<String> = adminCommands.union(["diff"])

    /// The role `command` needs. A command in neither table needs `read`: the request is then
    /// refused as an unknown command, which reveals nothing and changes nothing.
    public static func requiredRole(for command: String) -> ManagementRole {
        adminCommands.contains(command) ? .admin : .read
    }

    /// `command` when it is in a table, else `unknown`: a metric label with a bounded set of values.
    public static func label(for command: String?) -> String {
        guard let command, readCommands.contains(command) || adminCommands.contains(command) else { return "unknown" }
        return command
    }
}
