import Testing

/// Under `CI` the privilege and sandbox tests must run: they need root, and a CI job that is not
/// root would otherwise skip them all without anyone noticing.
@Suite struct CIRunsAsRootTests {
    @Test(.enabled(if: Fixtures.inCI, "only under CI"))
    func ciRunsTheProcessTestsAsRoot() {
        #expect(Fixtures.isRoot, "CI is set but the tests do not run as root: every process and sandbox test fails")
    }
}
