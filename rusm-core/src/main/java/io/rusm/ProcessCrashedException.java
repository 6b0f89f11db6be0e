package io.rusm;

/**
 * The callee ended while the call was queued or in flight: it crashed (the cause is the throwable),
 * was killed, ran out of its memory cap, or was shut down before getting to the call.
 */
public class ProcessCrashedException extends RusmException {
    private final Pid pid;
    private final ExitReason reason;

    public ProcessCrashedException(Pid pid, ExitReason reason) {
        super(pid + " exited: " + reason.label()
                + (reason instanceof ExitReason.Crashed c ? " (" + c.cause() + ")" : ""),
                reason instanceof ExitReason.Crashed c ? c.cause() : null);
        this.pid = pid;
        this.reason = reason;
    }

    /** The incarnation that ended. */
    public Pid pid() {
        return pid;
    }

    /** Why it ended. */
    public ExitReason reason() {
        return reason;
    }
}
