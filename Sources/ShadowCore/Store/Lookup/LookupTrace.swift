/// One lookup walked step by step, for management `explain`: each step the engines take, in their
/// order, with the value it produced and whether that value is in the index.
///
/// The walks (``ReservationSnapshot/traceV4(mac:option82:extractors:)`` and
/// ``ReservationSnapshot/traceV6(clientID:option1837:option1837Extractors:macInput:macExtractors:learnedOption82:)``)
/// call the step functions ``ReservationSnapshot/lookupV4(mac:option82:extractors:)`` and
/// ``ReservationSnapshot/lookupV6(clientIDBytes:option1837:option1837Extractors:macInput:macExtractors:bindings:)``
/// are made of, one extractor at a time; they stop where the lookup stops, at the first reservation
/// found. The packet path never calls them.
public struct LookupTrace: Sendable, Equatable {
    /// The steps tried, in order.
    public var steps: [LookupStep]
    /// What the lookup found (the last step's reservation), nil when no step found one.
    public var match: ReservationMatch?

    public init(steps: [LookupStep] = [], match: ReservationMatch? = nil) {
        self.steps = steps
        self.match = match
    }
}

/// One step of a ``LookupTrace``.
public struct LookupStep: Sendable, Equatable {
    /// Which key the step looks at: `chaddr`, `option82`, `duid`, `option1837`, `mac` (a DHCPv6
    /// MAC extractor) or `lease_fallback` (the learned MAC → Option 82 binding of that MAC).
    public var key: String
    /// The extractor's configured name (`chaddr` for the DHCPv4 hardware address, nil for the DUID).
    public var extractor: String?
    /// What the step read, as text (nil: the input was not given).
    public var input: String?
    /// The lookup key it produced, as text (nil: it produced nothing, and the step looked up nothing).
    public var produced: String?
    /// The position in the snapshot of the reservation with that key, nil when none has it.
    public var found: Int?

    public init(key: String, extractor: String?, input: String?, produced: String?, found: Int?) {
        self.key = key
        self.extractor = extractor
        self.input = input
        self.produced = produced
        self.found = found
    }

    /// One line: `normalize_remote_mac: {"remote":"aa:bb:cc:dd:ee:ff"} → {"remote":"AA-BB-CC-DD-EE-FF"}: reserved (entry 3)`.
    public var text: String {
        let name = extractor.map { "\(key) \($0)" } ?? key
        guard let input else { return "\(name): not given" }
        guard let produced else { return "\(name): \(input) → nothing" }
        let arrow = input == produced ? input : "\(input) → \(produced)"
        return "\(name): \(arrow): " + (found.map { "reserved (entry \($0))" } ?? "not in the index")
    }
}

extension ReservationSnapshot {
    /// The DHCPv4 lookup (``lookupV4(mac:option82:extractors:)``) step by step: chaddr, then each
    /// Option 82 extractor in `extractors`' order.
    public func traceV4(mac: MACAddress?, option82: Option82?, extractors: [Option82Extractor]) -> LookupTrace {
        var trace = LookupTrace()
        let chaddr = mac.flatMap { matchV4(mac: $0) }
        trace.steps.append(LookupStep(key: "chaddr", extractor: nil, input: mac?.description,
                                      produced: mac?.description, found: chaddr?.index))
        if let chaddr { trace.match = chaddr; return trace }
        for e in extractors {
            let key = option82.flatMap { e.extract($0) }
            let match = option82.flatMap { key == nil ? nil : matchV4(option82: $0, extractors: [e]) }
            trace.steps.append(LookupStep(key: "option82", extractor: e.name, input: option82.map(Self.text),
                                          produced: key.map(Self.text), found: match?.index))
            if let match { trace.match = match; return trace }
        }
        return trace
    }

    /// The DHCPv6 lookup (``lookupV6(clientIDBytes:option1837:option1837Extractors:macInput:macExtractors:bindings:)``)
    /// step by step: the DUID, each Option 18/37 extractor, then each MAC extractor with its
    /// `lease_fallback`. `learnedOption82` is the binding table's entry for a MAC.
    public func traceV6(clientID: DUID?, option1837: Option1837?, option1837Extractors: [Option1837Extractor],
                        macInput: MACExtractionInput, macExtractors: [MACExtractor],
                        learnedOption82: (MACAddress) -> Option82?) -> LookupTrace {
        var trace = LookupTrace()
        let byDUID = clientID.flatMap { id in id.bytes.withUnsafeBytes { matchV6(clientIDBytes: $0) } }
        trace.steps.append(LookupStep(key: "duid", extractor: nil, input: clientID?.description,
                                      produced: clientID?.description, found: byDUID?.index))
        if let byDUID { trace.match = byDUID; return trace }
        for e in option1837Extractors {
            let key = option1837.flatMap { e.extract($0) }
            let match = option1837.flatMap { key == nil ? nil : matchV6(option1837: $0, extractors: [e]) }
            trace.steps.append(LookupStep(key: "option1837", extractor: e.name, input: option1837.map(Self.text),
                                          produced: key.map(Self.text), found: match?.index))
            if let match { trace.match = match; return trace }
        }
        for e in macExtractors {
            let mac = e.extract(macInput)
            let match = mac.flatMap { matchV6(mac: $0, extractor: e.name, learnedOption82: learnedOption82($0)) }
            trace.steps.append(LookupStep(key: "mac", extractor: e.name, input: Self.input(of: e, macInput, clientID: clientID),
                                          produced: mac?.description, found: match?.method == .mac ? match?.index : nil))
            if let mac, match?.method != .mac {
                let learned = learnedOption82(mac)
                trace.steps.append(LookupStep(key: "lease_fallback", extractor: "lease_fallback", input: mac.description,
                                              produced: learned.map(Self.text), found: match?.index))
            }
            if let match { trace.match = match; return trace }
        }
        return trace
    }

    /// What MAC extractor `e` reads, as text (nil when it was not given).
    private static func input(of e: MACExtractor, _ input: MACExtractionInput, clientID: DUID?) -> String? {
        switch e {
        case .clientLinklayerAddress: input.clientLinkLayerAddress.map { "option 79 \($0)" }
        case .peerAddrEUI64: input.peerAddress == .any ? nil : "peer-address \(input.peerAddress)"
        case .duid: clientID.map { input.clientIDAddress.map { "DUID with MAC \($0)" } ?? "DUID \($0) (no Ethernet MAC in it)" }
        }
    }

    static func text(_ o: Option82) -> String { ReservationPersistence.compactJSON(o) }
    static func text(_ o: Option1837) -> String { ReservationPersistence.compactJSON(o) }
}
