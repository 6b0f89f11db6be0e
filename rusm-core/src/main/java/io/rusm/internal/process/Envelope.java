package io.rusm.internal.process;

/**
 * One message in a mailbox. A plain send carries no reply; calls are the {@link Call} subclass.
 * {@code system} messages (Down, Exit) bypass the mailbox capacity so a full mailbox cannot hide
 * a death from its watcher.
 *
 * <p>An envelope is also its own link in the mailbox's queue ({@link MessageQueue}): one object per
 * message, not an envelope and a queue node. So an envelope is offered to one mailbox, once.
 */
public class Envelope {
    final Object message;
    final boolean system;
    /** Where it is in its queue's life: queued, taken, or revoked by its producer. Guarded by the queue's takers' lock. */
    byte queueState;
    /** The next message in the queue (or itself once passed: {@link MessageQueue#dequeue}). */
    volatile Envelope next;

    public Envelope(Object message, boolean system) {
        this.message = message;
        this.system = system;
    }

    public Object message() {
        return message;
    }
}
