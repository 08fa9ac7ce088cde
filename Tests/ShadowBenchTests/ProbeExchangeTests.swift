import ShadowBench
import ShadowCore
import ShadowSystem
import Synchronization
import SystemPackage
import Testing

/// `shadow-bench probe --resend`: bench/startup.sh waits for a starting server with one probe
/// that sends again every 10 ms, rather than a new process per try.
@Suite("probe: one request, sent again until answered")
struct ProbeExchangeTests {
    static let loopback = IPv4Address(127, 0, 0, 1)

    /// A "server" on loopback that ignores the first `ignoring` copies of the request and answers
    /// the next one with `0xAA`, while the probe runs; returns the probe's answer and how many
    /// copies the server saw.
    static func exchange(ignoring: Int, resend: Double?, timeout: Double) throws -> (answer: [UInt8]?, seen: Int) {
        let server = try UDPSocket.bind(.v4(loopback, port: 0))
        defer { try? server.close() }
        try UDPSocket.setReceiveTimeout(server, milliseconds: Int(timeout * 1000) + 500)
        let serverAddress = try UDPSocket.localAddress(of: server)
        let client = try UDPSocket.bind(.v4(loopback, port: 0))
        defer { try? client.close() }
        let answer = Mutex<[UInt8]?>(nil), seen = Mutex(0)
        ParallelWork.onThreads(width: 2).run(2) { job in
            if job == 0 {
                let receiver = DatagramReceiver(capacity: 1, slotSize: 2048)
                while let n = try? receiver.receive(from: server), n == 1 {
                    let copies = seen.withLock { $0 += 1; return $0 }
                    guard copies > ignoring, let source = receiver[0].source else { continue }
                    _ = [UInt8]([0xAA]).withUnsafeBytes { try? UDPSocket.send($0, to: source, on: server) }
                    return
                }
            } else {
                let reply = try? ProbeExchange.run(socket: client, server: serverAddress, request: [1, 2, 3],
                                                   timeout: timeout, resend: resend) { $0.first == 0xAA }
                answer.withLock { $0 = reply ?? nil }
            }
        }
        return (answer.withLock { $0 }, seen.withLock { $0 })
    }

    @Test("with resend, the third copy is answered")
    func resentUntilAnswered() throws {
        let r = try Self.exchange(ignoring: 2, resend: 0.01, timeout: 5)
        #expect(r.answer == [0xAA])
        #expect(r.seen == 3)
    }

    @Test("without resend, one request goes out and the probe gives up at its timeout")
    func oneRequestWithoutResend() throws {
        let r = try Self.exchange(ignoring: 2, resend: nil, timeout: 0.3)
        #expect(r.answer == nil)
        #expect(r.seen == 1)
    }
}
