/// One entry of `reservations.json`, written out by ``ServerDirectory``.
public struct TestReservation: Sendable, Hashable {
    public var ipv4: String
    public var ipv6NA: String
    public var ipv6PD: String
    public var mac: String?
    public var duid: String?
    /// `(circuit, remote, subscriber)`; nil members are left out.
    public var option82: Option82Key?

    public struct Option82Key: Sendable, Hashable {
        public var circuit: String?
        public var remote: String?
        public var subscriber: String?

        public init(circuit: String? = nil, remote: String? = nil, subscriber: String? = nil) {
            self.circuit = circuit
            self.remote = remote
            self.subscriber = subscriber
        }
    }

    public init(ipv4: String, ipv6NA: String, ipv6PD: String, mac: String? = nil, duid: String? = nil,
                option82: Option82Key? = nil) {
        self.ipv4 = ipv4
        self.ipv6NA = ipv6NA
        self.ipv6PD = ipv6PD
        self.mac = mac
        self.duid = duid
        self.option82 = option82
    }

    public var json: String {
        var members = [#""ipv4": "\#(ipv4)""#, #""ipv6_na": "\#(ipv6NA)""#, #""ipv6_pd": "\#(ipv6PD)""#]
        if let mac { members.append(#""mac": "\#(mac)""#) }
        if let duid { members.append(#""duid": "\#(duid)""#) }
        if let o = option82 {
            var fields: [String] = []
            if let c = o.circuit { fields.append(#""circuit": "\#(c)""#) }
            if let r = o.remote { fields.append(#""remote": "\#(r)""#) }
            if let s = o.subscriber { fields.append(#""subscriber": "\#(s)""#) }
            members.append(#""option82": {\#(fields.joined(separator: ", "))}"#)
        }
        return "{" + members.joined(separator: ", ") + "}"
    }

    /// A `reservations.json` array.
    public static func file(_ reservations: [TestReservation]) -> String {
        "[\n  " + reservations.map(\.json).joined(separator: ",\n  ") + "\n]\n"
    }
}
