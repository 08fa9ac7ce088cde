/// A violation of the JSON grammar (RFC 8259), with the place it was found.
///
/// `line` and `column` are 1-based; the column counts Unicode scalars, so it matches what an
/// editor shows for UTF-8 text.
public struct JSONSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    /// Byte offset into the input.
    public var offset: Int
    public var line: Int
    public var column: Int

    public init(message: String, offset: Int, line: Int, column: Int) {
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column
    }

    /// `line L, column C: message`.
    public var description: String { "line \(line), column \(column): \(message)" }
}
