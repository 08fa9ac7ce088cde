/// Extractor lists, `logging`/`log_level` and `events`/`events_address` of `config.json`.
extension TreeDecoder {
    mutating func option82Extractors(_ value: JSONValue, at path: String) -> [Option82Extractor]? {
        list(value, at: path) { d, item, p in
            d.parsed(item, at: p, "Option 82 extractor",
                     expected: "one of \(ConfigurationLoader.option82ExtractorNames.joined(separator: ", "))",
                     Option82Extractor.init(rawValue:))
        }
    }

    mutating func option1837Extractors(_ value: JSONValue, at path: String) -> [Option1837Extractor]? {
        list(value, at: path) { d, item, p in
            d.parsed(item, at: p, "Option 18/37 extractor",
                     expected: "one of \(ConfigurationLoader.option1837ExtractorNames.joined(separator: ", "))",
                     Option1837Extractor.init(rawValue:))
        }
    }

    /// Snake_case or PascalCase names; an empty list means the default.
    mutating func macExtractors(_ value: JSONValue, at path: String) -> [MACExtractor]? {
        let names = MACExtractor.allCases.map(\.name).joined(separator: ", ")
        let items = list(value, at: path) { d, item, p in
            d.parsed(item, at: p, "MAC extractor", expected: "one of \(names) (or their PascalCase spellings)",
                     MACExtractor.init(configName:))
        }
        guard let items else { return nil }
        return items.isEmpty ? [.clientLinklayerAddress] : items
    }

    /// `logging` (HEAD) or `log_level` (seed); not both.
    mutating func loggingSettings(_ f: Fields) -> LoggingSettings? {
        if f["logging"] != nil && f["log_level"] != nil {
            fail("log_level", "give either log_level (older spelling) or logging, not both")
            return nil
        }
        if let v = f["log_level"] {
            return logLevel(v, at: "log_level").map { LoggingSettings(level: $0) }
        }
        guard let v = f["logging"] else { return LoggingSettings() }
        guard let lf = object(v, at: "logging", allowed: ConfigField.logging) else { return nil }
        var settings = LoggingSettings()
        if let v = lf["level"] { settings.level = logLevel(v, at: lf.path("level")) ?? .info }
        if let v = lf["stdout"] { settings.stdout = bool(v, at: lf.path("stdout")) ?? true }
        if let v = lf["file"] { settings.file = logFile(v, at: lf.path("file")) }
        if let v = lf["format"] {
            settings.format = parsed(v, at: lf.path("format"), "log format", expected: "text or json") {
                LogFormat(rawValue: $0)
            }
        }
        if let v = lf["child_lines_per_s"],
           let n = integer(v, at: lf.path("child_lines_per_s"), in: 1...LoggingSettings.childLinesPerSecondMaximum) {
            settings.childLinesPerSecond = Int(n)
        }
        return settings
    }

    mutating func logLevel(_ value: JSONValue, at path: String) -> LogLevel? {
        parsed(value, at: path, "log level", expected: "one of trace, debug, info, warn, error (or 1-5)",
               LogLevel.init(configValue:))
    }

    mutating func logFile(_ value: JSONValue, at path: String) -> LoggingSettings.File? {
        guard let f = object(value, at: path, allowed: ConfigField.loggingFile) else { return nil }
        let filePath = required(f, "path").flatMap { nonEmptyString($0, at: f.path("path")) }
        var maxFiles = 3
        if let v = f["max_files"], let n = integer(v, at: f.path("max_files"), in: 1...Int64(Int32.max)) {
            maxFiles = Int(n)
        }
        return filePath.map { LoggingSettings.File(path: $0, maxFiles: maxFiles) }
    }

    /// `events` (HEAD) or `events_address` (seed); not both.
    mutating func eventSettings(_ f: Fields) -> EventSettings? {
        if f["events"] != nil && f["events_address"] != nil {
            fail("events_address", "give either events_address (older spelling) or events, not both")
            return nil
        }
        if let v = f["events_address"] {
            return socketAddress(v, at: "events_address").map { EventSettings(tcp: $0) }
        }
        guard let v = f["events"] else { return EventSettings() }
        guard let ef = object(v, at: "events", allowed: ConfigField.events) else { return nil }
        var settings = EventSettings()
        if let v = ef["queue_size"], let n = integer(v, at: ef.path("queue_size"), in: 1...Int64(Int32.max)) {
            settings.queueSize = Int(n)
        }
        if let v = ef["tcp"] { settings.tcp = socketAddress(v, at: ef.path("tcp")) }
        if let v = ef["clickhouse"] { settings.clickhouse = clickhouse(v, at: ef.path("clickhouse")) }
        return settings
    }

    mutating func clickhouse(_ value: JSONValue, at path: String) -> EventSettings.ClickHouse? {
        guard let f = object(value, at: path, allowed: ConfigField.clickhouse) else { return nil }
        let url = required(f, "url").flatMap { nonEmptyString($0, at: f.path("url")) }
        let user = required(f, "user").flatMap { string($0, at: f.path("user")) }
        let password = required(f, "password").flatMap { string($0, at: f.path("password")) }
        let database = f["database"].flatMap { nonEmptyString($0, at: f.path("database")) } ?? "dhcp"
        let hostname = f["hostname"].flatMap { string($0, at: f.path("hostname")) }
        guard let url, let user, let password else { return nil }
        do {
            _ = try ClickHouseURL(parsing: url)
        } catch {
            fail(f.path("url"), "\(error)")
            return nil
        }
        return EventSettings.ClickHouse(url: url, user: user, password: password, database: database,
                                        hostname: hostname)
    }
}
