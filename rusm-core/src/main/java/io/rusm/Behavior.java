package io.rusm;

/**
 * What a process does with its messages: the low-level contract under {@code @ResidentService}.
 *
 * <p>All methods run on the process's own fiber, strictly one at a time, so an implementation
 * owns its fields without locks. A call's reply is {@link #handle}'s return value; for a send it is
 * ignored. Anything {@code handle} throws crashes the process unless
 * {@link #isDeclaredFailure} says it is an answer for the caller.
 */
public interface Behavior {

    /** Runs on the fiber before the first message; throwing fails the start. */
    default void init() throws Exception {}

    /**
     * Handles one message: a call's request, a sent message, or a {@link Down} / {@link Exit}
     * notification. Returns the reply (ignored for anything but a call).
     */
    Object handle(Object message) throws Exception;

    /**
     * Whether {@code failure}, thrown while handling {@code message}, is an answer to pass to the
     * caller with the process kept running (a declared exception) rather than a crash.
     */
    default boolean isDeclaredFailure(Object message, Throwable failure) {
        return false;
    }

    /** Runs on graceful stop, after the mailbox drained; never after a crash or a kill. */
    default void terminate() throws Exception {}

    /**
     * The object graph this process owns, charged against its memory cap
     * ({@link SpawnOptions#withMaxMemoryBytes}): by default the behavior itself.
     */
    default Object state() {
        return this;
    }
}
