import Glibc
import ShadowCore
// A/B in one process: the previous String-based IPv6 parser (Reference.swift) vs IPv6Address(_:).
let inputs: [Substring] = ["2001:db8::1", "2001:db8:1:2:3:4:5:6", "fe80::a55:31ff:fe8f:1998", "::ffff:192.0.2.1",
                           "2001:db8:8000:100::", "::", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0"]
func cpu() -> Double { var t = timespec(); clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return Double(t.tv_sec) * 1e9 + Double(t.tv_nsec) }
let n = 2_000_000
for round in 0..<3 {
    var sink: UInt64 = 0
    var t = cpu()
    for i in 0..<n { sink &+= ReferenceIPv6.parse(inputs[i & 7])?.low ?? 1 }
    let old = (cpu() - t) / Double(n)
    t = cpu()
    for i in 0..<n { sink &+= IPv6Address(inputs[i & 7])?.low ?? 1 }
    let new = (cpu() - t) / Double(n)
    print("round \(round): String-based reference parser \(Int(old)) ns/parse, IPv6Address(_:) of this revision \(Int(new)) ns/parse (checksum \(sink))")
}
for _ in 0..<3 { euiRound() }
