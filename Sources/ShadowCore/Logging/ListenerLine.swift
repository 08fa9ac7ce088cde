/// The one log line every listening socket gets, from the process that binds it:
/// `Management listening on 127.0.0.1:8547 (tcp)`, `Metrics listening on [::1]:9100 (http)`,
/// `Management listening on /run/shadowdhcp/mgmt.sock (unix)`.
public enum ListenerLine {
    /// `<service> listening on <address> (<transport>)`; `address` as `ip:port`, `[ipv6]:port`
    /// or a socket path.
    public static func text(_ service: String, on address: String, _ transport: String) -> String {
        "\(service) listening on \(address) (\(transport))"
    }
}
