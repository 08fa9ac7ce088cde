@testable import ShadowCore

/// Parses `text` as one JSON value; the syntax error's description on failure.
func parseJSON(_ text: String) -> Result<JSONValue, JSONSyntaxError> {
    Result { () throws(JSONSyntaxError) -> JSONValue in try JSONValue.parse(Array(text.utf8)) }
}

func syntaxError(_ text: String) -> String? {
    if case .failure(let e) = parseJSON(text) { return e.description }
    return nil
}

func jsonString(_ text: String) -> String? {
    if case .success(.string(let s)) = parseJSON(text) { return s }
    return nil
}
