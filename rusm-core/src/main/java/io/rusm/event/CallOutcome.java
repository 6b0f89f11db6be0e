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

    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
