package io.rusm.internal.process;

import io.rusm.NoProcessException;
import io.rusm.Pid;

/**
 * A {@link NoProcessException} that says more: the target's mailbox refused the message because
 * the incarnation had ended or was stopping, so the message reached nobody. rusm's own routing
 * (keyed services) uses it to hand such a message to the next incarnation; users see a plain
 * {@code NoProcessException}.
 */
public final class MailboxClosedException extends NoProcessException {
    private final transient Pid pid;

    public MailboxClosedException(Pid pid) {
        super(pid.toString());
        this.pid = pid;
    }

    /** The incarnation whose mailbox was closed. */
    public Pid pid() {
        return pid;
    }
}
