import ShadowCore

/// Everything `shadow-bench load` prints: one step (fixed rate) or every step of the maximum search.
public struct LoadReport: Sendable {
    public var protocolName: String
    public var steps: [LoadResult]
    public var search: MaximumSearch?

    public init(protocolName: String, steps: [LoadResult], search: MaximumSearch?) {
        self.protocolName = protocolName
        self.steps = steps
        self.search = search
    }

    /// The step that counts: the only one, or the passing step with the most complete exchanges.
    public var headline: LoadResult? {
        guard let search else { return steps.first }
        let passing = steps.filter { $0.dropPercent <= search.maximumDropPercent && $0.generatorKeptUp }
        return passing.max { $0.exchangesPerSecond < $1.exchangesPerSecond }
    }

    public var text: String {
        var out: [String] = []
        for (i, s) in steps.enumerated() {
            if search != nil { out.append("step \(i + 1):") }
            out.append(s.text)
        }
        if let search { out.append(verdict(search)) }
        return out.joined(separator: "\n")
    }

    /// The maximum search's one-line verdict.
    func verdict(_ search: MaximumSearch) -> String {
        let f = LoadResult.format
        var line = "maximum (\(protocolName), drop ≤ \(f(search.maximumDropPercent)) %): "
        if let h = headline {
            line += "\(f(h.exchangesPerSecond)) exchanges/s at offered \(f(h.settings.rate))/s"
        } else {
            line += "no step passed"
        }
        if let limit = search.generatorLimit {
            line += " — the generator could not keep up at \(f(limit))/s: a figure near that is the bench's ceiling"
        }
        return line
    }

    public var json: String {
        var w = JSONWriter()
        w.beginObject()
        w.field("protocol", protocolName)
        w.field("mode", search == nil ? "fixed" : "max")
        w.key("result")
        if let h = headline { h.writeJSON(&w) } else { w.null() }
        if let search {
            w.field("generator_bound", search.generatorBound)
            w.key("generator_limit"); if let l = search.generatorLimit { w.raw(LoadResult.format(l)) } else { w.null() }
            w.key("steps"); w.beginArray(); for s in steps { s.writeJSON(&w) }; w.endArray()
        }
        w.endObject()
        return w.text
    }
}
