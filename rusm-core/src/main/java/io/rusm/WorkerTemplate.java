package io.rusm;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The one child spec of a {@link Strategy#SIMPLE_ONE_FOR_ONE} supervisor (OTP's template child):
 * every child is started from it by {@link Supervisor#startChild(Object...)}, whose arguments are
 * handed to {@code behavior} to make that child's first incarnation and each of its restarts.
 * Children are anonymous processes; they are told apart by their {@link Pid}.
 *
 * <p>A {@code temporary} child's arguments are not kept (it is never restarted), so a pool of
 * short-lived temporary workers holds nothing once they have ended.
 *
 * @param name            what the children are called in snapshots, logs and {@link Supervisor#whichChildren()}
 * @param behavior        makes a fresh behavior from one child's arguments
 * @param restart         when a child is restarted (default {@link RestartType#PERMANENT})
 * @param shutdownTimeout drain deadline on graceful stop, then killed; zero kills at once,
 *                        {@link ChildSpec#INFINITY} waits without limit (default 5 s)
 * @param mailboxCapacity mailbox bound of each child
 * @param maxMemoryBytes  memory cap of each incarnation, 0 for none
 */
public record WorkerTemplate(String name, Function<List<Object>, ? extends Behavior> behavior, RestartType restart,
                             Duration shutdownTimeout, int mailboxCapacity, long maxMemoryBytes) {

    public WorkerTemplate {
        SpawnOptions.validateName(Objects.requireNonNull(name, "name"));
        Objects.requireNonNull(behavior, "behavior");
        Objects.requireNonNull(restart, "restart");
        WorkerSpec.checkLimits(shutdownTimeout, mailboxCapacity, maxMemoryBytes);
    }

    /** A permanent template with the defaults of {@link WorkerSpec#of}. */
    public static WorkerTemplate of(String name, Function<List<Object>, ? extends Behavior> behavior) {
        return new WorkerTemplate(name, behavior, RestartType.PERMANENT, WorkerSpec.DEFAULT_SHUTDOWN_TIMEOUT,
                SpawnOptions.DEFAULT_MAILBOX_CAPACITY, 0);
    }

    /** When a child is restarted. */
    public WorkerTemplate withRestart(RestartType type) {
        return new WorkerTemplate(name, behavior, type, shutdownTimeout, mailboxCapacity, maxMemoryBytes);
    }

    /** Drain deadline of each child on graceful stop ({@link ChildSpec#BRUTAL_KILL}, {@link ChildSpec#INFINITY} allowed). */
    public WorkerTemplate withShutdownTimeout(Duration timeout) {
        return new WorkerTemplate(name, behavior, restart, timeout, mailboxCapacity, maxMemoryBytes);
    }

    /** Mailbox bound of each child. */
    public WorkerTemplate withMailboxCapacity(int capacity) {
        return new WorkerTemplate(name, behavior, restart, shutdownTimeout, capacity, maxMemoryBytes);
    }

    /** Memory cap of each incarnation (0: none). */
    public WorkerTemplate withMaxMemoryBytes(long bytes) {
        return new WorkerTemplate(name, behavior, restart, shutdownTimeout, mailboxCapacity, bytes);
    }
}
