@testable import ShadowCore

let testSubnets = [
    SubnetV4(net: IPv4Network("198.51.100.0/24")!, gateway: IPv4Address(198, 51, 100, 254)),
    SubnetV4(net: IPv4Network("203.0.113.0/25")!, gateway: IPv4Address(203, 0, 113, 1)),
]

/// One reservation object: addresses derived from `n`, plus `extra` members (no leading comma).
func entry(_ n: Int, _ extra: String = #""mac": "00-00-00-00-00-01""#) -> String {
    #"{"ipv4": "198.51.100.\#(n)", "ipv6_na": "2001:db8:1::\#(n)", "ipv6_pd": "2001:db8:\#(100 + n)::/56""#
        + (extra.isEmpty ? "" : ", " + extra) + "}"
}

func array(_ entries: String...) -> String { "[" + entries.joined(separator: ",\n") + "]" }

func loadReservations(_ text: String, source: String = "reservations.json") -> Result<Loaded<[Reservation]>, LoadError> {
    Result { () throws(LoadError) -> Loaded<[Reservation]> in
        try ReservationLoader.load(Array(text.utf8), subnets: testSubnets, source: source)
    }
}

/// Error lines (empty when the file loads) and warning lines.
func reservationProblems(_ text: String, source: String = "reservations.json") -> (errors: [String], warnings: [String]) {
    switch loadReservations(text, source: source) {
    case .success(let l): return ([], l.warnings.lines)
    case .failure(let e): return (e.errors.lines, e.warnings.lines)
    }
}

func reservationErrors(_ text: String) -> [String] { reservationProblems(text).errors }
