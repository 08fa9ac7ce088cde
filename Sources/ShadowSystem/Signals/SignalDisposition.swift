import Glibc

/// Signal numbers, for callers that do not import Glibc.
public enum Signal {
    public static let hangUp: CInt = SIGHUP
    public static let interrupt: CInt = SIGINT
    public static let kill: CInt = SIGKILL
    public static let brokenPipe: CInt = SIGPIPE
    public static let terminate: CInt = SIGTERM
    public static let child: CInt = SIGCHLD
    public static let user1: CInt = SIGUSR1
    public static let user2: CInt = SIGUSR2
    public static let badSystemCall: CInt = SIGSYS
}

/// Signal dispositions, set once at start. Children started with ``ProcessSpawner`` get the
/// default disposition of every signal back.
public enum SignalDisposition {
    /// Ignores each of `signals` (SIG_IGN).
    ///
    /// Corresponds to sigaction(2) with SIG_IGN.
    public static func ignore(_ signals: [CInt]) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = SIG_IGN
        sigemptyset(&action.sa_mask)
        for signal in signals {
            // Fails only for an invalid signal number or SIGKILL/SIGSTOP: a bug.
            precondition(sigaction(signal, &action, nil) == 0, "sigaction(\(signal), SIG_IGN) failed")
        }
    }

    /// Ignores SIGPIPE, so that writing to a pipe or socket whose reader is gone (a log reader
    /// that exited, a closed peer) fails with EPIPE instead of killing the process. The one
    /// place every process (master, workers, tools) does this.
    ///
    /// Corresponds to sigaction(2) with SIG_IGN for SIGPIPE.
    public static func ignoreBrokenPipe() { ignore([SIGPIPE]) }
}
