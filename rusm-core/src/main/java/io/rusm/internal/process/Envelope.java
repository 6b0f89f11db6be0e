package io.rusm.internal.process;

/**
 * One message in a mailbox. A plain send carries no reply; calls are the {@link Call} subclass.
 * {@code system} messages (Down, Exit) bypass the mailbox capacity so a full mailbox cannot hide
 * a death from its watcher.
 */
public class Envelope {
    final Object message;
    final boolean system;

    public Envelope(Object message, boolean system) {
        this.message = message;
        this.system = system;
    }

    public Object message() {
        return message;
    }
}
