/// How one IA_NA or IA_PD of the client's message is answered.
enum IAAnswer: Hashable, Sendable {
    /// The reservation's address or prefix with the configured lifetimes. With `echoOthers`, every
    /// other address or prefix the client named follows with zero lifetimes (Renew, Rebind).
    case reserved(echoOthers: Bool)
    /// T1 = T2 = 0 and Status Code NoAddrsAvail (IA_NA) or NoPrefixAvail (IA_PD).
    case unavailable
    /// Upstream's NoBinding IA: IAID, T1 and T2 as the client sent them, each named address or
    /// prefix with zero lifetimes, Status Code NoBinding.
    case noBindingEcho
    /// RFC 8415 §18.3.4/§18.3.7 NoBinding IA: T1 = T2 = 0 and only the Status Code NoBinding.
    case noBindingBare
    /// Not included in the reply.
    case omitted
}

/// The answer for the first IA of a kind and for every further one.
struct IAPlan: Hashable, Sendable {
    var first: IAAnswer
    var rest: IAAnswer

    static let omitted = IAPlan(first: .omitted, rest: .omitted)
}
