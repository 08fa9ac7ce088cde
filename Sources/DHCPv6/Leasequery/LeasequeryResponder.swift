import ShadowCore

/// Answers one decoded query from a ``LeasequeryDataSource``: the same decisions for UDP
/// (RFC 5007) and the first reply of a bulk answer (RFC 5460).
public enum LeasequeryResponder {
    /// The result of a query by address (1) or by client identifier (2), and the binding to
    /// return when there is one.
    ///
    /// - By address: NotConfigured when no reservation holds the address (this server manages
    ///   nothing else); Success without data when the reservation was not served within its lease
    ///   time; otherwise its binding.
    /// - By client identifier: Success without data for a client without a reservation or not
    ///   served within its lease time; otherwise its binding.
    /// - A link-address other than `::` must be the link the client was last relayed from, when
    ///   that is known; otherwise Success without data.
    public static func answer(_ q: LeasequeryQuery, in buffer: UnsafeRawBufferPointer,
                              data: some LeasequeryDataSource) -> (LeasequeryResult, LeasequeryBinding?) {
        let index: Int?
        switch q.queryType {
        case .byAddress:
            guard let address = q.address, let i = data.reservation(holding: address) else { return (.notConfigured, nil) }
            index = i
        case .byClientID:
            guard let id = q.clientID else { return (.malformedQuery, nil) }
            index = data.reservation(clientID: UnsafeRawBufferPointer(rebasing: buffer[id]))
        default:
            return (.unknownQueryType, nil)
        }
        guard let index, let binding = data.activeBinding(index), onLink(binding, q.linkAddress) else {
            return (.noData, nil)
        }
        return (.data, binding)
    }

    /// Whether `binding` may be returned for a query naming `link` (`::`: any link).
    public static func onLink(_ binding: LeasequeryBinding, _ link: IPv6Address) -> Bool {
        guard link != .any, let known = binding.relay?.linkAddress else { return true }
        return known == link
    }
}
