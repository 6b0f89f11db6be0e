package io.rusm;

/** The callee's mailbox is at its capacity: back-pressure, raised at once rather than blocking. */
public class MailboxFullException extends RusmException {
    public MailboxFullException(Pid pid, int capacity) {
        super("mailbox of " + pid + " is full (capacity " + capacity + ")");
    }
}
