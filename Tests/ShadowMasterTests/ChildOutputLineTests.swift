import ShadowCore
import ShadowLogging
import Testing
@testable import ShadowMaster

@Suite("What the master passes on from a child's output")
struct ChildOutputLineTests {
    static func own(_ s: String, _ format: LogFormat, process: String = "v4") -> Bool {
        ChildLogLine.isOwn(ArraySlice(s.utf8), process: process, format: format)
    }

    @Test func ownLinesPass() {
        #expect(Self.own(#"{"timestamp":"2026-12-06T05:00:00.123Z","level":"INFO","process":"v4","message":"x","k":"v"}"#, .json))
        #expect(Self.own("2026-12-06T05:00:00.123Z WARN v4: a message k=v", .text))
    }

    @Test(arguments: [
        #"{"timestamp":"2026-12-06T05:00:00.123Z","level":"INFO","process":"master","message":"x"}"#,
        #"{"timestamp":"2026-12-06T05:00:00.123Z","level":"INFO","process":"v4","process":"master","message":"x"}"#,
        #"{"level":"INFO","timestamp":"2026-12-06T05:00:00.123Z","process":"v4","message":"x"}"#,
        #"{"timestamp":"2026-12-06T05:00:00.123Z","level":"LOUD","process":"v4","message":"x"}"#,
        #"{"timestamp":"2026-12-06T05:00:00.123Z","level":"INFO","process":"v4","message":"x"} trailing"#,
        "{\"timestamp\":\"2026-12-06T05:00:00.123Z\",\"level\":\"INFO\",\"process\":\"v4\",\"message\":\"x\"}\r",
        "{\"timestamp\":\"2026-12-06T05:00:00.123Z\",\"level\":\"INFO\",\"process\":\"v4\",\"message\":\"\u{85}\"}",
        "not a log line",
    ])
    func foreignJSONLinesDoNotPass(_ line: String) {
        #expect(!Self.own(line, .json), "\(line)")
    }

    @Test(arguments: [
        "2026-12-06T05:00:00.123Z WARN master: forged",
        "2026-12-06T05:00:00.123Z WARN v6: another worker",
        "2026-12-06 05:00:00 WARN v4: wrong time",
        "2026-12-06T05:00:00.123Z WARN v4: \u{1B}[2J",
        "2026-12-06T05:00:00.123Z WARN v4x: prefix of another label",
    ])
    func foreignTextLinesDoNotPass(_ line: String) {
        #expect(!Self.own(line, .text), "\(line)")
    }

    @Test func foreignLinesAreEscapedAndLabelled() {
        let bytes = ArraySlice(Array("a\\b\u{1B}[1m\u{85}".utf8) + [0xFF])
        #expect(ChildLogLine.escaped(bytes) == #"a\\b\u{1B}[1m\u{85}"# + "\u{FFFD}")
        let text = ChildLogLine.wrapped(ArraySlice("2026-12-06T05:00:00.123Z WARN master: forged".utf8), process: "v4",
                                        stream: "stdout", format: .text)
        #expect(text.hasSuffix(" INFO v4: 2026-12-06T05:00:00.123Z WARN master: forged output=stdout\n"), "\(text)")
        let json = ChildLogLine.wrapped(ArraySlice("panic\u{7}".utf8), process: "ops", stream: "stderr", format: .json)
        #expect(json.contains(#""level":"WARN","process":"ops","message":"panic\\u{07}","output":"stderr"}"#), "\(json)")
    }

    @Test func rateLimitRefillsPerSecondAndCountsDrops() {
        let limit = OutputRateLimit(linesPerSecond: 3, now: 1000)
        #expect((0..<5).map { _ in limit.admit(now: 1000) } == [true, true, true, false, false])
        #expect(limit.pendingDrops == 2)
        #expect(limit.admit(now: 1400))  // 0.4 s: 1.2 lines
        #expect(!limit.admit(now: 1400))
        #expect(limit.takeDrops() == 3 && limit.pendingDrops == 0 && limit.droppedTotal == 3)
        #expect((0..<4).map { _ in limit.admit(now: 5000) } == [true, true, true, false])
    }
}
