package io.rusm;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A supervised process. {@code behavior} is asked for a fresh {@link Behavior} on every start, so
 * each incarnation begins with fresh state.
 *
 * @param name            registered name
 * @param behavior        makes the behavior of one incarnation
 * @param restart         when it is restarted (default {@link RestartType#PERMANENT})
 * @param shutdownTimeout drain deadline on graceful stop, then killed (default 5 s)
 * @param mailboxCapacity mailbox bound (default {@value SpawnOptions#DEFAULT_MAILBOX_CAPACITY})
 * @param resident        started with its supervisor (default); when false it is started on its
 *                        first call or send through the node (see {@link Node#call(String, Object)})
 * @param maxMemoryBytes  memory cap of each incarnation (see {@link SpawnOptions#withMaxMemoryBytes}), 0 for none
 * @param hibernateAfter  idle time before an incarnation hibernates (see {@link SpawnOptions#withHibernateAfter}),
 *                        or null for the node's default
 */
public record WorkerSpec(String name, Supplier<? extends Behavior> behavior, RestartType restart,
                         Duration shutdownTimeout, int mailboxCapacity, boolean resident, long maxMemoryBytes,
                         Duration hibernateAfter)
        implements ChildSpec {

    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

    public WorkerSpec {
        SpawnOptions.validateName(Objects.requireNonNull(name, "name"));
        Objects.requireNonNull(behavior, "behavior");
        Objects.requireNonNull(restart, "restart");
        checkLimits(shutdownTimeout, mailboxCapacity, maxMemoryBytes);
        if (hibernateAfter != null) SpawnOptions.checkHibernateAfter(hibernateAfter);
    }

    /** A spec with the node's default hibernate-after. */
    public WorkerSpec(String name, Supplier<? extends Behavior> behavior, RestartType restart,
                      Duration shutdownTimeout, int mailboxCapacity, boolean resident, long maxMemoryBytes) {
        this(name, behavior, restart, shutdownTimeout, mailboxCapacity, resident, maxMemoryBytes, null);
    }

    /** The limits a worker spec and a {@link WorkerTemplate} share. */
    static void checkLimits(Duration shutdownTimeout, int mailboxCapacity, long maxMemoryBytes) {
        if (shutdownTimeout.isNegative()) throw new IllegalArgumentException("shutdownTimeout must not be negative");
        if (mailboxCapacity < 1) throw new IllegalArgumentException("mailboxCapacity must be positive");
        if (maxMemoryBytes < 0) throw new IllegalArgumentException("maxMemoryBytes must not be negative");
    }

    public static WorkerSpec of(String name, Supplier<? extends Behavior> behavior) {
        return new WorkerSpec(name, behavior, RestartType.PERMANENT, DEFAULT_SHUTDOWN_TIMEOUT,
                SpawnOptions.DEFAULT_MAILBOX_CAPACITY, true, 0, null);
    }

    public WorkerSpec withRestart(RestartType type) {
        return new WorkerSpec(name, behavior, type, shutdownTimeout, mailboxCapacity, resident, maxMemoryBytes, hibernateAfter);
    }

    public WorkerSpec withShutdownTimeout(Duration timeout) {
        return new WorkerSpec(name, behavior, restart, timeout, mailboxCapacity, resident, maxMemoryBytes, hibernateAfter);
    }

    public WorkerSpec withMailboxCapacity(int capacity) {
        return new WorkerSpec(name, behavior, restart, shutdownTimeout, capacity, resident, maxMemoryBytes, hibernateAfter);
    }

    /** Caps each incarnation's retained state at {@code bytes} (0: no cap). */
    public WorkerSpec withMaxMemoryBytes(long bytes) {
        return new WorkerSpec(name, behavior, restart, shutdownTimeout, mailboxCapacity, resident, bytes, hibernateAfter);
    }

    /** {@code false}: not started with the supervisor but on the first call or send to its name. */
    public WorkerSpec withResident(boolean startWithSupervisor) {
        return new WorkerSpec(name, behavior, restart, shutdownTimeout, mailboxCapacity, startWithSupervisor, maxMemoryBytes, hibernateAfter);
    }

    /** Idle time before each incarnation hibernates ({@link SpawnOptions#withHibernateAfter}); null: the node's default. */
    public WorkerSpec withHibernateAfter(Duration after) {
        return new WorkerSpec(name, behavior, restart, shutdownTimeout, mailboxCapacity, resident, maxMemoryBytes, after);
    }
}
