/// Why a test helper gave up: a timeout, a process that misbehaved, a file that is missing.
/// The description carries what the test needs to see (often the tail of the master's log).
public struct TestingError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
