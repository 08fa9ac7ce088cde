import ShadowCore

/// One management response: a single-line JSON object followed by `\n` (docs/management.md).
///
/// Keys are written in the order `success`, `error`, `message`, `reservation_count`, then the
/// fields this port added (``extraFields``, in order); absent values are omitted. So the three
/// upstream commands answer byte for byte as upstream does.
public struct ManagementResponse: Sendable, Equatable, CustomStringConvertible {
    /// A field after the upstream ones, already encoded as a JSON value.
    public struct Field: Sendable, Equatable {
        public var name: String
        /// The value as JSON text, e.g. `"abc"`, `12` or `{"a":1}`.
        public var json: String

        public init(name: String, json: String) {
            self.name = name
            self.json = json
        }
    }

    public var success: Bool
    public var error: String?
    public var message: String?
    public var reservationCount: Int?
    public var extraFields: [Field]

    public init(success: Bool, error: String? = nil, message: String? = nil, reservationCount: Int? = nil,
                extraFields: [Field] = []) {
        self.success = success
        self.error = error
        self.message = message
        self.reservationCount = reservationCount
        self.extraFields = extraFields
    }

    /// A success with a message and, optionally, a count and further fields.
    public static func ok(_ message: String, reservationCount: Int? = nil, _ fields: [Field] = []) -> Self {
        ManagementResponse(success: true, message: message, reservationCount: reservationCount, extraFields: fields)
    }

    /// A failure whose `error` is `text` as is.
    public static func failure(_ text: String, _ fields: [Field] = []) -> Self {
        ManagementResponse(success: false, error: text, extraFields: fields)
    }

    /// The JSON object without the trailing newline.
    public var json: String {
        var w = JSONWriter()
        w.beginObject()
        w.field("success", success)
        if let error { w.field("error", error) }
        if let message { w.field("message", message) }
        if let reservationCount { w.field("reservation_count", reservationCount) }
        for f in extraFields {
            w.key(f.name)
            w.raw(f.json)
        }
        w.endObject()
        return w.text
    }

    /// What goes on the wire: ``json`` and `\n`.
    public var line: String { json + "\n" }

    public var description: String { json }
}

extension ManagementResponse.Field {
    /// A string field (`null` when nil).
    public static func string(_ name: String, _ value: String?) -> Self {
        var w = JSONWriter()
        w.string(value)
        return Self(name: name, json: w.text)
    }

    /// An integer field (`null` when nil).
    public static func int<I: BinaryInteger>(_ name: String, _ value: I?) -> Self {
        var w = JSONWriter()
        w.int(value)
        return Self(name: name, json: w.text)
    }

    /// An array of strings.
    public static func strings(_ name: String, _ values: [String]) -> Self {
        var w = JSONWriter()
        w.beginArray()
        for v in values { w.string(v) }
        w.endArray()
        return Self(name: name, json: w.text)
    }

    /// A value built with a ``JSONWriter``.
    public static func build(_ name: String, _ body: (inout JSONWriter) -> Void) -> Self {
        var w = JSONWriter()
        body(&w)
        return Self(name: name, json: w.text)
    }
}
