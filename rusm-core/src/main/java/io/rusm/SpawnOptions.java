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
 */
public record SpawnOptions(String name, int mailboxCapacity, boolean trapExits, Pid linkTo, Duration startTimeout,
                           long maxMemoryBytes) {

    public static final int DEFAULT_MAILBOX_CAPACITY = 10_000;
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);

    public SpawnOptions {
        if (name != null) validateName(name);
        if (mailboxCapacity < 1) throw new IllegalArgumentException("mailboxCapacity must be positive: " + mailboxCapacity);
        Objects.requireNonNull(startTimeout, "startTimeout");
        if (maxMemoryBytes < 0) throw new IllegalArgumentException("maxMemoryBytes must not be negative: " + maxMemoryBytes);
    }

    public static SpawnOptions named(String name) {
        return new SpawnOptions(Objects.requireNonNull(name, "name"), DEFAULT_MAILBOX_CAPACITY, false, null, DEFAULT_START_TIMEOUT, 0);
    }

    public static SpawnOptions anonymous() {
        return new SpawnOptions(null, DEFAULT_MAILBOX_CAPACITY, false, null, DEFAULT_START_TIMEOUT, 0);
    }

    public SpawnOptions withMailboxCapacity(int capacity) {
        return new SpawnOptions(name, capacity, trapExits, linkTo, startTimeout, maxMemoryBytes);
    }

    public SpawnOptions withTrapExits(boolean trap) {
        return new SpawnOptions(name, mailboxCapacity, trap, linkTo, startTimeout, maxMemoryBytes);
    }

    public SpawnOptions withLinkTo(Pid pid) {
        return new SpawnOptions(name, mailboxCapacity, trapExits, pid, startTimeout, maxMemoryBytes);
    }

    public SpawnOptions withStartTimeout(Duration timeout) {
        return new SpawnOptions(name, mailboxCapacity, trapExits, linkTo, timeout, maxMemoryBytes);
    }

    /**
     * Crashes the process with {@link ExitReason.MemoryLimit} once the retained size of its
     * {@linkplain Behavior#state() state} is measured above {@code bytes} (0: no cap). Measured on
     * the process's fiber between messages, on a budget of a few percent of its busy time.
     */
    public SpawnOptions withMaxMemoryBytes(long bytes) {
        return new SpawnOptions(name, mailboxCapacity, trapExits, linkTo, startTimeout, bytes);
    }

    static void validateName(String name) {
        if (name.isBlank() || name.startsWith("<")) {
            throw new IllegalArgumentException("process name must be non-blank and not start with '<': '" + name + "'");
        }
    }
}
