extension ReservationSnapshot {
    // CONTRACT (s27-options-contract): the options-config helper replaces these bodies with the
    // interned option sets stored in the snapshot image; the engines call only these two.

    /// The reservation's own `options_v4` level (``DHCPOptionSet/empty`` when it sets none).
    public func optionsV4(at index: Int) -> DHCPOptionSet { .empty }

    /// The reservation's own `options_v6` level (``DHCPOptionSet/empty`` when it sets none).
    public func optionsV6(at index: Int) -> DHCPOptionSet { .empty }
}
