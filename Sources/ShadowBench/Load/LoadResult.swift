import ShadowCore

/// The outcome of one load run at one offered rate.
public struct LoadResult: Sendable, Hashable {
    public var settings: LoadSettings
    public var counters: LoadCounters
    /// Seconds the sending phase really lasted.
    public var elapsed: Double
    /// Latency of complete exchanges (first request sent → second reply received), nanoseconds.
    public var latency: Percentiles?

    public init(settings: LoadSettings, counters: LoadCounters, elapsed: Double, latency: Percentiles?) {
        self.settings = settings
        self.counters = counters
        self.elapsed = elapsed
        self.latency = latency
    }

    /// Exchanges begun per second: below ``LoadSettings/rate`` when the generator could not keep up.
    public var achievedRate: Double { elapsed > 0 ? Double(counters.started) / elapsed : 0 }
    /// Complete exchanges per second.
    public var exchangesPerSecond: Double { elapsed > 0 ? Double(counters.completed) / elapsed : 0 }
    /// Share of begun exchanges that did not complete, in percent.
    public var dropPercent: Double {
        counters.started == 0 ? 0 : 100 * Double(counters.started - counters.completed) / Double(counters.started)
    }
    /// Whether the generator began at least 95 % of the exchanges asked for.
    public var generatorKeptUp: Bool { achievedRate >= 0.95 * settings.rate }

    /// One line per figure, for people.
    public var text: String {
        var lines = [
            "offered \(Self.format(settings.rate))/s for \(Self.format(settings.duration)) s, "
                + "begun \(Self.format(achievedRate))/s" + (generatorKeptUp ? "" : " (generator could not keep up)"),
            "exchanges: \(counters.started) begun, \(counters.completed) complete, \(counters.timedOut) timed out, "
                + "\(counters.refused) NAK, \(counters.wrong) wrong, \(counters.unmatched) unmatched replies, "
                + "\(counters.sendErrors) send errors",
            "throughput: \(Self.format(exchangesPerSecond)) exchanges/s, drop \(Self.format(dropPercent)) %",
        ]
        if let l = latency {
            lines.append("latency: p50 \(Self.micro(l.p50)) p90 \(Self.micro(l.p90)) p99 \(Self.micro(l.p99)) "
                         + "max \(Self.micro(l.max)) (\(l.count) samples)")
        } else {
            lines.append("latency: no complete exchange")
        }
        return lines.joined(separator: "\n")
    }

    /// The result as a JSON object (latencies in microseconds).
    public func writeJSON(_ w: inout JSONWriter) {
        w.beginObject()
        w.key("offered_rate"); w.raw(Self.format(settings.rate))
        w.key("achieved_rate"); w.raw(Self.format(achievedRate))
        w.key("duration_s"); w.raw(Self.format(settings.duration))
        w.key("elapsed_s"); w.raw(Self.format(elapsed))
        w.key("timeout_s"); w.raw(Self.format(settings.timeout))
        w.field("started", counters.started)
        w.field("completed", counters.completed)
        w.field("timed_out", counters.timedOut)
        w.field("refused", counters.refused)
        w.field("wrong", counters.wrong)
        w.field("unmatched", counters.unmatched)
        w.field("send_errors", counters.sendErrors)
        w.field("datagrams_sent", counters.sent)
        w.field("datagrams_received", counters.received)
        w.key("exchanges_per_s"); w.raw(Self.format(exchangesPerSecond))
        w.key("drop_percent"); w.raw(Self.format(dropPercent))
        w.field("generator_kept_up", generatorKeptUp)
        w.key("latency_us")
        if let l = latency {
            w.beginObject()
            for (name, v) in [("p50", l.p50), ("p90", l.p90), ("p99", l.p99), ("max", l.max)] {
                w.key(name); w.raw(Self.format(Double(v) / 1000))
            }
            w.field("samples", l.count)
            w.endObject()
        } else {
            w.null()
        }
        w.endObject()
    }

    /// A number with at most two decimals, no exponent.
    public static func format(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let scaled = (v * 100).rounded()
        let whole = Int64(scaled / 100)
        let cents = Int64(abs(scaled.truncatingRemainder(dividingBy: 100)))
        if cents == 0 { return String(whole) }
        let sign = scaled < 0 && whole == 0 ? "-" : ""
        return sign + String(whole) + "." + (cents < 10 ? "0" : "") + String(cents).trimmingTrailingZero()
    }

    static func micro(_ ns: UInt64) -> String { format(Double(ns) / 1000) + " µs" }
}

extension String {
    func trimmingTrailingZero() -> String { hasSuffix("0") && count == 2 ? String(prefix(1)) : self }
}
