@testable import ShadowCore

/// A minimal valid `config.json` with `extra` members appended (`extra` starts without a comma).
func configText(_ extra: String = "") -> String {
    let base = #""dns_v4": ["192.0.2.53"], "dns_v6": ["2001:db8::53"], "subnets_v4": []"#
    return "{" + base + (extra.isEmpty ? "" : ", " + extra) + "}"
}

func loadConfig(_ text: String) -> Result<ServerConfig, LoadError> {
    Result { () throws(LoadError) -> ServerConfig in try ConfigurationLoader.loadConfig(Array(text.utf8)) }
}

/// The error lines of loading `text` as `config.json` ([] when it loads).
func configErrors(_ text: String) -> [String] {
    if case .failure(let e) = loadConfig(text) { return e.errors.lines }
    return []
}

/// The config built from the minimal one plus `extra`, or nil (test fails) when it does not load.
func config(_ extra: String) -> ServerConfig? {
    switch loadConfig(configText(extra)) {
    case .success(let c): return c
    case .failure(let e):
        print(e.description)
        return nil
    }
}

func identifierErrors(_ text: String) -> [String] {
    do {
        _ = try ConfigurationLoader.loadIdentifiers(Array(text.utf8))
        return []
    } catch {
        return error.errors.lines
    }
}
