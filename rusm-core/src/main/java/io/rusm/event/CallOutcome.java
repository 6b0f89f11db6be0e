package io.rusm.event;

/** How a call ended, as the caller saw it. {@link #tag()} is the metric tag value. */
public enum CallOutcome {
    /** The handler returned a value. */
    OK,
    /** The handler threw an exception it declares; the service kept running. */
    ERROR,
    /** The callee ended (crash, kill, memory cap, shutdown) while the call was queued or in flight. */
    CRASHED,
    /** No reply within the timeout. */
    TIMEOUT,
    /** No such process. */
    NOPROC,
    /** The callee's mailbox was full. */
    FULL;

    /** The outcome of a call that ended with {@code failure} (null: it returned a value). */
    public static CallOutcome of(Throwable failure) {
        return switch (failure) {
            case null -> OK;
            case io.rusm.ProcessCrashedException e -> CRASHED;
            case io.rusm.CallTimeoutException e -> TIMEOUT;
            case io.rusm.NoProcessException e -> NOPROC;
            case io.rusm.MailboxFullException e -> FULL;
            default -> ERROR;
        };
    }

    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
