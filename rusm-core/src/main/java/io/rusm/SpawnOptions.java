package io.rusm;

import java.time.Duration;
import java.util.Objects;

/**
 * How to spawn a process. Immutable; start from {@link #named} or {@link #anonymous} and refine
 * with the {@code with…} methods.
 *
 * @param name            registered name, or {@code null} for an anonymous process
 * @param mailboxCapacity messages that may wait before senders get {@link MailboxFullException}
 * @param trapExits       whether exit signals from links arrive as {@link Exit} messages
 * @param linkTo          a process to link to atomically at spawn, or {@code null}
 * @param startTimeout    how long {@link Behavior#init()} may take before the start fails
 * @param maxMemoryBytes  cap on the retained size of {@link Behavior#state()}, or 0 for none
 * @param hibernateAfter  how long the process may idle before its fiber is let go (see
 *                        {@link #withHibernateAfter}), or {@code null} for the node's default
 */
public record SpawnOptions(String name, int mailboxCapacity, boolean trapExits, Pid linkTo, Duration startTimeout,
                           long maxMemoryBytes, Duration hibernateAfter) {

    public static final int DEFAULT_MAILBOX_CAPACITY = 10_000;
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);

    public SpawnOptions {
        if (name != null) validateName(name);
        if (mailboxCapacity < 1) throw new IllegalArgumentException("mailboxCapacity must be positive: " + mailboxCapacity);
        Objects.requireNonNull(startTimeout, "startTimeout");
        if (maxMemoryBytes < 0) throw new IllegalArgumentException("maxMemoryBytes must not be negative: " + maxMemoryBytes);
        if (hibernateAfter != null) checkHibernateAfter(hibernateAfter);
    }

    /** The check every hibernate-after passes (spawn options, worker and keyed specs, the node's default). */
    public static void checkHibernateAfter(Duration after) {
        if (after.isNegative()) throw new IllegalArgumentException("hibernateAfter must not be negative: " + after);
    }

    /** The options without a hibernate-after of their own (the node's default applies). */
    public SpawnOptions(String name, int mailboxCapacity, boolean trapExits, Pid linkTo, Duration startTimeout, long maxMemoryBytes) {
        this(name, mailboxCapacity, trapExits, linkTo, startTimeout, maxMemoryBytes, null);
    }

    public static SpawnOptions named(String name) {
        return new SpawnOptions(Objects.requireNonNull(name, "name"), DEFAULT_MAILBOX_CAPACITY, false, null, DEFAULT_START_TIMEOUT, 0, null);
    }

    public static SpawnOptions anonymous() {
        return new SpawnOptions(null, DEFAULT_MAILBOX_CAPACITY, false, null, DEFAULT_START_TIMEOUT, 0, null);
    }

    public SpawnOptions withMailboxCapacity(int capacity) {
        return new SpawnOptions(name, capacity, trapExits, linkTo, startTimeout, maxMemoryBytes, hibernateAfter);
    }

    public SpawnOptions withTrapExits(boolean trap) {
        return new SpawnOptions(name, mailboxCapacity, trap, linkTo, startTimeout, maxMemoryBytes, hibernateAfter);
    }

    public SpawnOptions withLinkTo(Pid pid) {
        return new SpawnOptions(name, mailboxCapacity, trapExits, pid, startTimeout, maxMemoryBytes, hibernateAfter);
    }

    public SpawnOptions withStartTimeout(Duration timeout) {
        return new SpawnOptions(name, mailboxCapacity, trapExits, linkTo, timeout, maxMemoryBytes, hibernateAfter);
    }

    /**
     * Crashes the process with {@link ExitReason.MemoryLimit} once the retained size of its
     * {@linkplain Behavior#state() state} is measured above {@code bytes} (0: no cap). Measured on
     * the process's fiber between messages, on a budget of a few percent of its busy time.
     */
    public SpawnOptions withMaxMemoryBytes(long bytes) {
        return new SpawnOptions(name, mailboxCapacity, trapExits, linkTo, startTimeout, bytes, hibernateAfter);
    }

    /**
     * How long the process may stay idle (its mailbox empty, no handler running) before it
     * <em>hibernates</em>: its fiber ends and its stack is freed, while the process lives on with its
     * state, name, links, monitors and timers; the next message starts a fresh fiber that goes on
     * with it (OTP's {@code hibernate_after}). Zero hibernates whenever the mailbox runs empty;
     * {@code null} takes the node's default ({@link Node.Builder#hibernateAfter}). A process that
     * hibernated keeps every guarantee, but its next message runs on a different virtual thread:
     * keep state in fields, not in thread-locals.
     */
    public SpawnOptions withHibernateAfter(Duration after) {
        return new SpawnOptions(name, mailboxCapacity, trapExits, linkTo, startTimeout, maxMemoryBytes, after);
    }

    static void validateName(String name) {
        if (name.isBlank() || name.startsWith("<")) {
            throw new IllegalArgumentException("process name must be non-blank and not start with '<': '" + name + "'");
        }
    }
}
