import ShadowCore

/// Everything the reply logic decided, ready for the encoder: which message, which options, how
/// each IA is answered.
struct DHCPv6ReplyPlan: Sendable {
    var type: DHCPv6MessageType
    /// The reservation's address and prefix (when one matched).
    var reservedNA: IPv6Address?
    var reservedPD: IPv6Prefix?
    var iaNA: IAPlan = .omitted
    var iaPD: IAPlan = .omitted
    /// Preference (7) = 255 (Advertise).
    var preference = false
    /// Rapid Commit (14) (Reply to a rapid-commit Solicit).
    var rapidCommit = false
    /// A message-level Status Code (13).
    var status: DHCPv6StatusCode?
    /// DNS Recursive Name Servers (23).
    var dns = false
    /// The configured options (`options_v6`) the client asks for, and the `always_send` ones:
    /// Advertise, and the Replies to Solicit, Request, Renew, Rebind and Information-request.
    var configured = false
    /// Information Refresh Time (32) may be sent: the Reply to an Information-request.
    var informationRequest = false
}
