import Glibc

/// Signal dispositions set once at start.
public enum IgnoredSignals {
    /// Ignores SIGPIPE, so that writing to a pipe or socket whose reader is gone (a log reader
    /// that exited, a closed peer) fails with EPIPE instead of killing the process. Children
    /// started with ``ProcessSpawner`` get the default disposition back.
    ///
    /// Corresponds to sigaction(2) with SIG_IGN.
    public static func ignoreBrokenPipe() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = SIG_IGN
        sigemptyset(&action.sa_mask)
        _ = sigaction(SIGPIPE, &action, nil)
    }
}
