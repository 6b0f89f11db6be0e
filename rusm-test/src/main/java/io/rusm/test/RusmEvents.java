package io.rusm.test;

import io.rusm.ExitReason;
import io.rusm.Node;
import io.rusm.Pid;
import io.rusm.event.ProcessListener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * What the node's supervisors did, recorded as it happens, so a test can wait for a restart or an
 * escalation instead of sleeping. Every wait is bounded and returns as soon as the event is there,
 * including when it happened before the wait began.
 *
 * <pre>{@code
 * Pid first = node.whereis("counter").orElseThrow();
 * node.kill(first);
 * Pid second = events.awaitRestart(first, Duration.ofSeconds(10));
 * }</pre>
 *
 * <p>In a {@code @SpringBootTest} with {@code rusm-test} on the classpath, inject it
 * ({@code @Autowired RusmEvents events}); elsewhere, {@link #on(Node)} before the test acts.
 */
public final class RusmEvents implements ProcessListener, AutoCloseable {
    /** A supervisor restarted a child: the child's new incarnation. */
    public record Restart(String supervisor, Pid pid) {}

    /** A supervisor gave up (more restarts than its intensity allows). */
    public record Escalation(String supervisor, Pid supervisorPid) {}

    /** A process ended. */
    public record Exit(Pid pid, ExitReason reason) {}

    private final Node node;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Object> events = new ArrayList<>();

    private RusmEvents(Node node) {
        this.node = node;
    }

    /** Starts recording the node's events; {@link #close()} stops. */
    public static RusmEvents on(Node node) {
        RusmEvents events = new RusmEvents(node);
        node.addListener(events);
        return events;
    }

    /**
     * Waits until the service whose incarnation {@code before} was has been restarted, and returns
     * its new incarnation.
     *
     * @throws AssertionError when no restart came within {@code timeout}
     */
    public Pid awaitRestart(Pid before, Duration timeout) {
        return await(Restart.class, r -> r.pid().name().equals(before.name()) && r.pid().incarnation() > before.incarnation(),
                timeout, "a restart of '" + before.name() + "' after " + before).pid();
    }

    /**
     * Waits until the named service has been restarted {@code count} times in all since recording began.
     *
     * @return its incarnation after the {@code count}th restart
     */
    public Pid awaitRestarts(String service, int count, Duration timeout) {
        List<Restart> restarts = awaitAll(Restart.class, r -> r.pid().name().equals(service), count, timeout,
                count + " restarts of '" + service + "'");
        return restarts.get(count - 1).pid();
    }

    /** Waits until the named supervisor ({@code rusm} for the root) has escalated. */
    public Escalation awaitEscalation(String supervisor, Duration timeout) {
        return await(Escalation.class, e -> e.supervisor().equals(supervisor), timeout, "an escalation of '" + supervisor + "'");
    }

    /** Waits until {@code pid} has ended, and returns why. */
    public ExitReason awaitExit(Pid pid, Duration timeout) {
        return await(Exit.class, e -> e.pid().equals(pid), timeout, "the end of " + pid).reason();
    }

    /** Every restart recorded so far, oldest first. */
    public List<Restart> restarts() {
        return all(Restart.class, r -> true);
    }

    /** Every escalation recorded so far, oldest first. */
    public List<Escalation> escalations() {
        return all(Escalation.class, e -> true);
    }

    private <T> T await(Class<T> type, Predicate<T> matches, Duration timeout, String what) {
        return awaitAll(type, matches, 1, timeout, what).getFirst();
    }

    private <T> List<T> awaitAll(Class<T> type, Predicate<T> matches, int count, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                List<T> found = all(type, matches);
                if (found.size() >= count) return found;
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + what + " within " + timeout + "; recorded: " + events);
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        } finally {
            lock.unlock();
        }
    }

    private <T> List<T> all(Class<T> type, Predicate<T> matches) {
        lock.lock();
        try {
            List<T> out = new ArrayList<>();
            for (Object e : events) if (type.isInstance(e) && matches.test(type.cast(e))) out.add(type.cast(e));
            return out;
        } finally {
            lock.unlock();
        }
    }

    private void record(Object event) {
        lock.lock();
        try {
            events.add(event);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void restarted(String supervisor, Pid pid) {
        record(new Restart(supervisor, pid));
    }

    @Override
    public void escalated(String supervisor, Pid supervisorPid) {
        record(new Escalation(supervisor, supervisorPid));
    }

    @Override
    public void exited(Pid pid, ExitReason reason) {
        if (pid.isNamed()) record(new Exit(pid, reason)); // named processes only: anonymous ones would pile up
    }

    @Override
    public void close() {
        node.removeListener(this);
    }
}
