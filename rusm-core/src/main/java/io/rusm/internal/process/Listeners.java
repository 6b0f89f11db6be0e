package io.rusm.internal.process;

import io.rusm.ExitReason;
import io.rusm.Pid;
import io.rusm.event.CallOutcome;
import io.rusm.event.ProcessListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Fans events out to the registered listeners; a failing listener is logged, never propagated.
 *
 * <p>Events raised inside a process's ending ({@code exited}, and the sends it drops) are handed to
 * one ordered dispatcher on a virtual thread of rusm's own instead of running on the caller's
 * thread: a kill, a {@code Down} or an exit signal never waits on a slow listener. The other events
 * happen on the process's own path and are reported in line.
 */
public final class Listeners implements ProcessListener {
    private static final Logger log = LoggerFactory.getLogger(Listeners.class);
    private final List<ProcessListener> listeners = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> deferred = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();

    /** Runs {@code event} later, in order with every other deferred event, on rusm's dispatcher. */
    private void defer(Runnable event) {
        deferred.add(event);
        if (draining.compareAndSet(false, true)) Thread.ofVirtual().name("rusm-events").start(this::drain);
    }

    private void drain() {
        while (true) {
            for (Runnable r; (r = deferred.poll()) != null; ) r.run();
            draining.set(false);
            // An event added after the last poll but before the flag cleared would wait forever: re-check.
            if (deferred.isEmpty() || !draining.compareAndSet(false, true)) return;
        }
    }

    /** Blocks until every event deferred so far has been delivered (tests, orderly shutdown). */
    public void awaitDelivered(java.time.Duration timeout) throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        defer(done::countDown);
        done.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    public void add(ProcessListener listener) {
        listeners.add(listener);
    }

    public void remove(ProcessListener listener) {
        listeners.remove(listener);
    }

    private void each(Consumer<ProcessListener> event) {
        for (ProcessListener l : listeners) {
            try {
                event.accept(l);
            } catch (Throwable t) {
                log.warn("process listener {} failed", l, t);
            }
        }
    }

    @Override
    public void started(Pid pid) {
        if (!listeners.isEmpty()) each(l -> l.started(pid));
    }

    @Override
    public void exited(Pid pid, ExitReason reason) {
        if (!listeners.isEmpty()) defer(() -> each(l -> l.exited(pid, reason)));
    }

    @Override
    public void callFinished(String target, Object message, long nanos, CallOutcome outcome) {
        if (!listeners.isEmpty()) each(l -> l.callFinished(target, message, nanos, outcome));
    }

    public void remoteCallFinished(String target, Object message, long nanos, CallOutcome outcome) {
        if (!listeners.isEmpty()) each(l -> l.remoteCallFinished(target, message, nanos, outcome));
    }

    @Override
    public void restarted(String supervisor, Pid pid) {
        if (!listeners.isEmpty()) each(l -> l.restarted(supervisor, pid));
    }

    @Override
    public void escalated(String supervisor, Pid supervisorPid) {
        if (!listeners.isEmpty()) each(l -> l.escalated(supervisor, supervisorPid));
    }

    @Override
    public void sendDropped(String target, Object message, String reason) {
        if (!listeners.isEmpty()) each(l -> l.sendDropped(target, message, reason));
    }

    @Override
    public void reminderFired(String service, String reminder, String outcome) {
        if (!listeners.isEmpty()) each(l -> l.reminderFired(service, reminder, outcome));
    }

    /** {@link #sendDropped}, deferred: for the sends a dying process drops, which must not wait on listeners. */
    public void sendDroppedLater(String target, Object message, String reason) {
        if (!listeners.isEmpty()) defer(() -> each(l -> l.sendDropped(target, message, reason)));
    }

    public boolean isEmpty() {
        return listeners.isEmpty();
    }
}
